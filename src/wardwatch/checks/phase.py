"""The attack-chain phase every check declares and the story orders incidents by (one enum, shared)."""
from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """Where a finding sits: on the seeds' attack chain (OGMC), or off it (noise, log health, configuration)."""

    GUESSING = "guessing"
    ACCESS = "access"
    TOOLS = "tools"
    DEFENSE_EVASION = "defense-evasion"
    PERSISTENCE = "persistence"
    LATERAL = "lateral"
    EXFILTRATION = "exfiltration"
    IMPACT = "impact"
    CLEANUP = "cleanup"
    # off the chain: these never start an incident on their own phase
    NOISE = "noise"
    HEALTH = "health"
    CONFIG = "config"
    SIGMA = "sigma"
    OTHER = "other"

    @classmethod
    def parse(cls, value: object, where: str = "") -> Phase:
        """The phase named by value; a ValueError naming where and the known phases otherwise."""
        try:
            return cls(str(value))
        except ValueError:
            raise ValueError(f"{where + ': ' if where else ''}unknown phase {value!r} "
                             f"(known: {', '.join(p.value for p in cls)})") from None

    @property
    def on_chain(self) -> bool:
        return self in CHAIN


# The attack chain of the seeds, in order: guessing → success → tools → ... → lateral movement → log clearing.
CHAIN: tuple[Phase, ...] = (Phase.GUESSING, Phase.ACCESS, Phase.TOOLS, Phase.DEFENSE_EVASION, Phase.PERSISTENCE,
                            Phase.LATERAL, Phase.EXFILTRATION, Phase.IMPACT, Phase.CLEANUP)
