"""Sigma rules (SigmaHQ format, v2 correlations included) compiled once, cached, and run on the event store."""
from __future__ import annotations

from .run import check_rules, load_sigma_rules, run_sigma, start_loading
from .types import CompiledRule, RuleStatus

__all__ = ["CompiledRule", "RuleStatus", "check_rules", "load_sigma_rules", "run_sigma", "start_loading"]
