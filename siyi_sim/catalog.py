"""Fixed tables of the world: departments and issue types.

These are data, not tunable levers; their scales are tuned through ``disclosure.sensitivity_scale``
and ``resolution.effort_scale``. Sensitivity is the trust an owner needs before telling a cadre
about an issue; effort is cadre-days of work by a cadre of the responsible department.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEPARTMENTS: tuple[str, ...] = (
    "ecology_environment",
    "planning_natural_resources",
    "housing_urban_rural",
    "market_supervision",
    "human_resources_social_security",
    "tax",
    "finance_office",
    "economy_information",
    "science_technology",
    "commerce",
    "emergency_management",
    "education",
    "health",
    "agriculture",
    "transport",
    "water_resources",
    "state_assets",
    "organization_department",
    "banks",
    "utilities",
)
DEPT = {name: i for i, name in enumerate(DEPARTMENTS)}

#: Departments that inspect and fine firms (source of adversarial "cat and mouse" edges).
ENFORCEMENT_DEPARTMENTS = (DEPT["ecology_environment"], DEPT["market_supervision"], DEPT["emergency_management"])
#: Departments that run a legacy-issue procedure for old industrial firms (case 1, case 2).
LEGACY_PROCEDURE_DEPARTMENTS = (
    DEPT["ecology_environment"],
    DEPT["planning_natural_resources"],
    DEPT["housing_urban_rural"],
)
#: Bank and utility staff: invited rather than mandatory, but in the placement pool like them.
INVITED_DEPARTMENTS = (DEPT["banks"], DEPT["utilities"])
#: Policies come from the first ``policies.n_policy_departments`` of these (18 in 2020).
POLICY_DEPARTMENTS = tuple(i for i in range(len(DEPARTMENTS)) if i not in INVITED_DEPARTMENTS)
#: Departments a firm names when ordering if it names fewer than two of its own: the offices every
#: firm deals with (social security and hiring, tax, licences). Data of the world, like the above.
FALLBACK_DEPARTMENTS = (DEPT["human_resources_social_security"], DEPT["tax"], DEPT["market_supervision"])
N_SECTORS = 8
SIZE_CLASSES = ("micro", "small", "medium", "large")


@dataclass(frozen=True)
class IssueType:
    name: str
    department: int
    sensitivity: float  # trust needed to disclose, before fear
    effort_days: float  # cadre-days for a cadre of the responsible department
    arrival_weight: float  # relative weight among newly arising issues (normalised)


ISSUE_TYPES: tuple[IssueType, ...] = (
    IssueType("discharge_permit", DEPT["ecology_environment"], 0.45, 3.0, 0.05),
    IssueType("eia", DEPT["ecology_environment"], 0.35, 4.0, 0.04),
    IssueType("land_use", DEPT["planning_natural_resources"], 0.35, 5.0, 0.04),
    IssueType("construction_approval", DEPT["housing_urban_rural"], 0.35, 4.0, 0.06),
    IssueType("property_certificate", DEPT["housing_urban_rural"], 0.30, 4.0, 0.04),
    IssueType("loan", DEPT["banks"], 0.55, 3.0, 0.14),
    IssueType("hiring", DEPT["human_resources_social_security"], 0.15, 2.0, 0.15),
    IssueType("utilities", DEPT["utilities"], 0.15, 2.0, 0.10),
    IssueType("tax_fees", DEPT["tax"], 0.40, 2.0, 0.10),
    IssueType("patent_ip", DEPT["science_technology"], 0.20, 3.0, 0.06),
    IssueType("licensing", DEPT["market_supervision"], 0.25, 2.0, 0.12),
    IssueType("personal_family", DEPT["education"], 0.65, 2.0, 0.08),
    IssueType("violation_rectification", DEPT["market_supervision"], 0.60, 2.0, 0.04),
)
ISSUE = {t.name: i for i, t in enumerate(ISSUE_TYPES)}
#: Per-type lookups for vectorised code (index = issue type).
TYPE_DEPARTMENT = np.array([t.department for t in ISSUE_TYPES], dtype=np.int16)
TYPE_SENSITIVITY = np.array([t.sensitivity for t in ISSUE_TYPES])
TYPE_EFFORT_DAYS = np.array([t.effort_days for t in ISSUE_TYPES])
#: Sensitive types (P3: loan, personal/family, violations): an owner hides these until trust is high.
SENSITIVE_THRESHOLD = 0.5
