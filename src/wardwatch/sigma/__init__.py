"""Sigma rules (SigmaHQ format, v2 correlations included) compiled once, cached, and run on the event store."""
from __future__ import annotations

from .run import check_rules, run_sigma
from .types import CompiledRule, RuleStatus

__all__ = ["CompiledRule", "RuleStatus", "check_rules", "run_sigma"]
