"""Finance submodel: what a resolved loan or hiring issue delivers, and the job fair.

Loan: ``loan_share_of_need * credit_need`` yuan, with the bank's participation (banks are the
responsible department, so a bank cadre in the pair works at full effect).
Hiring: the firm enters the job-fair recruitment pool for ``jobfair_days``; each day a share
``jobfair_fill_per_day`` of the remaining gap is filled (binomial head count); what is unfilled
when the pool closes returns to the firm's hiring gap.
Unmet credit needs do not wait for ever: once a month (``credit_expiry_interval_days``) every unmet
need shrinks by ``exp(-interval / credit_need_lifetime_days)`` -- the firm found credit elsewhere
or dropped the project -- so needs do not pile up over years and a loan pays only what is still
needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..events import LoanPaid, WorkersHired
from .base import Submodel

if TYPE_CHECKING:
    from ..model import SiyiModel


class JobFair:
    """Firms in the recruitment pool: remaining gap, until-day, program flag (small arrays)."""

    def __init__(self) -> None:
        self.firm = np.empty(0, dtype=np.int64)
        self.gap = np.empty(0, dtype=np.int64)
        self.until = np.empty(0, dtype=np.int64)
        self.program = np.empty(0, dtype=bool)

    def __len__(self) -> int:
        return len(self.firm)

    def add(self, firms: np.ndarray, gaps: np.ndarray, until: int, program: bool) -> None:
        self.firm = np.concatenate([self.firm, firms])
        self.gap = np.concatenate([self.gap, gaps])
        self.until = np.concatenate([self.until, np.full(len(firms), until)])
        self.program = np.concatenate([self.program, np.full(len(firms), program)])

    def keep(self, rows: np.ndarray) -> None:
        self.firm, self.gap, self.until, self.program = (
            self.firm[rows],
            self.gap[rows],
            self.until[rows],
            self.program[rows],
        )


class Finance(Submodel):
    """Loans paid on resolution, and the job fair that fills hiring gaps day by day."""

    name = "finance"
    section = "finance"

    def setup(self, model: SiyiModel) -> None:
        self.jobfair = JobFair()

    def pay_loans(self, model: SiyiModel, firms: np.ndarray, program: bool) -> None:
        if len(firms) == 0:
            return
        amount = model.cfg.finance.loan_share_of_need * model.firms.credit_need_yuan[firms]
        model.firms.credit_need_yuan[firms] = 0.0
        total = float(amount.sum())
        model.counters.loans_yuan_total += total
        if program:
            model.counters.program_loans_yuan += total
        if model.events is not None:
            model.events.extend(
                LoanPaid(model.day, int(f), float(y), program)
                for f, y in zip(firms.tolist(), amount.tolist(), strict=True)
            )

    def enter_jobfair(self, model: SiyiModel, firms: np.ndarray, program: bool) -> None:
        gaps = model.firms.hiring_gap[firms]
        firms, gaps = firms[gaps > 0], gaps[gaps > 0]
        if len(firms) == 0:
            return
        model.firms.hiring_gap[firms] = 0
        self.jobfair.add(firms, gaps, model.day + model.cfg.finance.jobfair_days, program)

    def step(self, model: SiyiModel) -> None:
        """Unmet credit needs age (monthly); the job fair places workers; closed pools return the rest."""
        f = model.cfg.finance
        if model.day % f.credit_expiry_interval_days == f.credit_expiry_interval_days - 1:
            self.age_credit_needs(model, f.credit_expiry_interval_days)
        self.run_jobfair(model)

    def age_credit_needs(self, model: SiyiModel, days: int) -> None:
        """Unmet needs decay with mean life ``credit_need_lifetime_days`` (met elsewhere or dropped)."""
        need = model.firms.credit_need_yuan
        need *= np.exp(-days / model.cfg.finance.credit_need_lifetime_days)

    def run_jobfair(self, model: SiyiModel) -> None:
        fair = self.jobfair
        if len(fair) == 0:
            return
        hires = model.streams["jobfair"].binomial(fair.gap, model.cfg.finance.jobfair_fill_per_day)
        fair.gap -= hires
        model.counters.hires_total += int(hires.sum())
        model.counters.program_hires += int(hires[fair.program].sum())
        if model.events is not None:
            got = np.flatnonzero(hires > 0)
            model.events.extend(
                WorkersHired(model.day, int(fair.firm[i]), int(hires[i]), bool(fair.program[i])) for i in got.tolist()
            )
        keep = (fair.gap > 0) & (fair.until > model.day)
        if not keep.all():
            ended = ~keep & (fair.gap > 0)  # the pool closed: the rest of the gap stays the firm's
            np.add.at(model.firms.hiring_gap, fair.firm[ended], fair.gap[ended])
            fair.keep(keep)
