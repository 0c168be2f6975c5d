"""Checks: the Phase every check declares, one spec and registry for checks, and the facts they share."""
from __future__ import annotations

from .phase import CHAIN, Phase
from .spec import CheckSpec, Registry, SpecError, has_tag, register, spec_for, tagged

__all__ = ["CHAIN", "CheckSpec", "Phase", "Registry", "SpecError", "has_tag", "register", "spec_for", "tagged"]
