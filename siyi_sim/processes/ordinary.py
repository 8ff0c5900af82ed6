"""Ordinary channel submodel (process 5): firms take issues to departments themselves.

A firm takes an open issue it is willing to name to the department with daily hazard
h = approach_hazard * (1 + liaison_weight*liaison) * (trust_weight*g + trust_offset);
an approach succeeds with the department's service speed (see ``mindset``) times its
willingness to serve, 1 - avoidance.service_weight * the department's mean perceived risk
(``avoidance``); the owner's general trust rises a little when served, falls when turned away
(``trust``). Legacy issues
succeed only with ``legacy_ordinary_success`` per approach ("they almost never move").
Each approach carries integrity risk (``integrity``). Draws are keyed by issue and day, so an
issue open in two scenarios meets the same draws (common random numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..events import OrdinaryApproach
from ..issues import CH_SELF, RESOLVED
from ..streams import APPROACH, APPROACH_SUCCESS, keyed_uniforms, keyed_uniforms_below
from .avoidance import Avoidance
from .base import Submodel
from .disclosure import Disclosure
from .integrity import Integrity
from .mindset import Mindset
from .resolution import Resolution
from .trust import Trust

if TYPE_CHECKING:
    from ..model import SiyiModel


class OrdinaryChannel(Submodel):
    name = "ordinary"
    section = "ordinary"

    def step(self, model: SiyiModel) -> None:
        iss = model.issues
        open_ = np.flatnonzero(iss.view("status") < RESOLVED)
        if len(open_) == 0:
            return
        f = model.firms
        o = model.cfg.ordinary
        # Same draw per issue as "u < hazard", but the hazard is computed only where u < max hazard.
        h_max = o.approach_hazard_per_day * (1.0 + o.liaison_weight) * (o.trust_weight + o.trust_offset)
        maybe, u = keyed_uniforms_below(model.issue_key, model.day, APPROACH, open_, h_max)
        cand = open_[maybe]
        firm = iss.firm[cand]
        hazard = (
            o.approach_hazard_per_day
            * (1.0 + o.liaison_weight * f.liaison[firm])
            * (o.trust_weight * f.trust[firm] + o.trust_offset)
        )
        cand = cand[u < hazard]
        disclosure = model.submodel(Disclosure)
        cand = cand[iss.workable(cand) & disclosure.self_raisable(model, cand)]
        if len(cand) == 0:
            return
        disclosure.disclose(model, cand, CH_SELF)
        resolution = model.submodel(Resolution)
        resolution.start(model, cand)
        if model.events is not None:
            model.events.extend(
                OrdinaryApproach(model.day, int(i), int(iss.firm[i]), int(iss.dept[i])) for i in cand.tolist()
            )
        model.submodel(Integrity).record_approaches(model, cand)
        speed = model.submodel(Mindset).dept_speed
        depts = iss.dept[cand]
        service = speed[depts] * model.submodel(Avoidance).service_factor(model, depts)
        p = np.where(iss.legacy[cand], model.cfg.resolution.legacy_ordinary_success, service)
        served = keyed_uniforms(model.issue_key, model.day, APPROACH_SUCCESS, cand) < p
        model.submodel(Trust).ordinary_service(model, iss.firm[cand], served)
        resolution.settle(model, cand[served], CH_SELF)
