"""``generate``: the whole deterministic demo from a size and a seed (pure: no store, no clock)."""

from __future__ import annotations

from engine.demo.builder import Builder
from engine.demo.dataset import DemoDataset
from engine.demo.history import build_history
from engine.demo.members import build_members
from engine.demo.names import UniqueNames
from engine.demo.pledges import build_unit_needs_and_pledges
from engine.demo.recurring import build_series
from engine.demo.roles import build_roles
from engine.demo.services import build_agreements, build_categories, build_needs, build_offerings
from engine.demo.signups import build_signups
from engine.demo.sizes import SIZES
from engine.demo.territory import build_territory
from engine.demo.units import build_units
from engine.demo.venues import build_venues


def generate(size: str = "district", seed: int = 2026) -> DemoDataset:
    """The demo of ``size`` (a key of SIZES); the same size and seed always give the same dataset."""
    try:
        spec = SIZES[size]
    except KeyError:
        raise ValueError(f"unknown demo size {size!r}; choose one of {', '.join(SIZES)}") from None
    b = Builder(size, seed)
    names = UniqueNames(b.rng)
    build_categories(b)
    territory = build_territory(b, spec, names)
    units = build_units(b, spec, names, territory)
    people = build_members(b, spec, territory, units)
    build_roles(b, territory, units, people)
    build_agreements(b, territory, units)
    offers = build_offerings(b, spec, units, people)
    build_needs(b, spec, territory, offers)
    build_history(b)
    build_series(b, territory)  # recurring needs, from a stream of their own
    build_venues(b)  # venues' hours and bookings, goods' and funds' amounts (issue 12 point 2)
    build_signups(b)  # a need with its roster filled and one waitlisted (issue 12 point 4)
    build_unit_needs_and_pledges(b)  # units' own needs and pledges (issue 12 points 5, 6)
    return b.dataset
