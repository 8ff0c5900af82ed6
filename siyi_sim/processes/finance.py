"""Loans and hiring: what a resolved loan or hiring issue delivers.

Loan: ``loan_share_of_need * credit_need`` yuan, with the bank's participation (banks are the
responsible department, so a bank cadre in the pair works at full effect).
Hiring: the firm enters the job-fair recruitment pool for ``jobfair_days``; each day a share
``jobfair_fill_per_day`` of the remaining gap is filled (binomial head count); what is unfilled
when the pool closes returns to the firm's hiring gap.
"""

from __future__ import annotations

import numpy as np


def pay_loans(model, firms: np.ndarray, program: bool) -> None:
    if len(firms) == 0:
        return
    amount = model.cfg.finance.loan_share_of_need * model.firms.credit_need_yuan[firms]
    model.firms.credit_need_yuan[firms] = 0.0
    total = float(amount.sum())
    model.counters.loans_yuan_total += total
    if program:
        model.counters.program_loans_yuan += total


def enter_jobfair(model, firms: np.ndarray, program: bool) -> None:
    gaps = model.firms.hiring_gap[firms]
    firms, gaps = firms[gaps > 0], gaps[gaps > 0]
    if len(firms) == 0:
        return
    model.firms.hiring_gap[firms] = 0
    model.jobfair.add(firms, gaps, model.day + model.cfg.finance.jobfair_days, program)


class JobFair:
    """Firms in the recruitment pool: remaining gap, until-day, program flag (small arrays)."""

    def __init__(self):
        self.firm = np.empty(0, dtype=np.int64)
        self.gap = np.empty(0, dtype=np.int64)
        self.until = np.empty(0, dtype=np.int64)
        self.program = np.empty(0, dtype=bool)

    def add(self, firms, gaps, until, program) -> None:
        self.firm = np.concatenate([self.firm, firms])
        self.gap = np.concatenate([self.gap, gaps])
        self.until = np.concatenate([self.until, np.full(len(firms), until)])
        self.program = np.concatenate([self.program, np.full(len(firms), program)])

    def step(self, model) -> None:
        if len(self.firm) == 0:
            return
        hires = model.streams["jobfair"].binomial(self.gap, model.cfg.finance.jobfair_fill_per_day)
        self.gap -= hires
        model.counters.hires_total += int(hires.sum())
        model.counters.program_hires += int(hires[self.program].sum())
        keep = (self.gap > 0) & (self.until > model.day)
        if not keep.all():
            ended = ~keep & (self.gap > 0)  # the pool closed: the rest of the gap stays the firm's
            np.add.at(model.firms.hiring_gap, self.firm[ended], self.gap[ended])
            self.firm, self.gap, self.until, self.program = (
                self.firm[keep],
                self.gap[keep],
                self.until[keep],
                self.program[keep],
            )
