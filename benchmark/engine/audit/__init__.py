"""Audits of the benchmark itself. `musebench audit suite` runs baseline policies (cheap ways to
answer every task without doing it) through the ordinary replay runner and reports what the
suite gives them; see docs/RUBRIC_GUIDE.md, "Auditing a suite"."""

from .policies import POLICY_NAMES, Policy, load_policies, policy_record, policy_turns
from .suite_audit import AuditPlan, PointShare, PolicyResult, SuiteAudit, plan_audit, run_audit

__all__ = [
    "POLICY_NAMES",
    "AuditPlan",
    "PointShare",
    "Policy",
    "PolicyResult",
    "SuiteAudit",
    "load_policies",
    "plan_audit",
    "policy_record",
    "policy_turns",
    "run_audit",
]
