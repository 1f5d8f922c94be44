"""Targets of the demo datasets (the tests check the generated counts against them) and their shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# Every date of the demo is computed from this instant, never from the clock.
REFERENCE = datetime(2026, 11, 1, tzinfo=UTC)
CENTRE = (25.04, 102.71)  # 昆明 centre (lat, lon)
TARGET_FIELDS = ("streets", "communities", "units", "members", "needs", "offerings")


@dataclass(frozen=True, slots=True)
class SizeSpec:
    """How big one demo is: the counted targets, then the ranges that shape the territory."""

    streets: int
    communities: int
    units: int
    members: int
    needs: int
    offerings: int
    grids_per_community: tuple[int, int]
    compounds_per_grid: tuple[int, int]
    buildings_per_compound: tuple[int, int]
    spread_km: float  # street centres lie within this distance of the centre
    place: str  # the district (or city) the demo pretends to be
    top_org: str  # name of the one district-level org that leads the streets

    def targets(self) -> dict[str, int]:
        """The counted targets by field name (see TARGET_FIELDS)."""
        return {f: int(getattr(self, f)) for f in TARGET_FIELDS}


SIZES: dict[str, SizeSpec] = {
    "tiny": SizeSpec(1, 3, 40, 300, 60, 120, (3, 4), (1, 3), (3, 7), 1.0, "春城区", "中共春城区委员会"),
    "district": SizeSpec(
        10, 60, 1500, 15000, 2000, 4000, (4, 6), (1, 3), (4, 12), 7.5, "春城区", "中共春城区委员会"
    ),
    "city": SizeSpec(
        60, 230, 4053, 60000, 10000, 20000, (4, 7), (1, 3), (4, 12), 15.0, "昆明市", "中共昆明市委员会"
    ),
}
