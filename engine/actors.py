"""Who is acting: an account's role and where in the org tree (or which provider) it stands.

The API builds an ``Actor`` from a signed-in account; engine services take it and decide,
with the jurisdiction rules in ``engine.services.scope``, what it may read and write.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The five roles of DOMAIN.md."""

    ADMIN = "admin"
    PLANNER = "planner"  # a district or street and everything it leads; read-mostly
    SECRETARY = "secretary"  # a community and the grids/buildings it leads
    UNIT = "unit"  # a resident unit, acting for itself
    MEMBER = "member"  # a Party member, acting for themselves
    GRID_WORKER = "grid_worker"  # 网格员: a grid or community; only submits residents' requests (issue 11)


PROVIDER_LABELS: dict[Role, str] = {Role.UNIT: "Unit", Role.MEMBER: "Member"}


@dataclass(frozen=True, slots=True)
class Actor:
    """An account acting in one role: org-scoped roles carry ``scope_org_id``, providers ``subject_id``."""

    account_id: str
    role: Role
    scope_org_id: str | None = None
    subject_id: str | None = None
    display_name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        if self.role in (Role.PLANNER, Role.SECRETARY, Role.GRID_WORKER) and not self.scope_org_id:
            raise ValueError(f"a {self.role} actor needs scope_org_id")
        if self.role in PROVIDER_LABELS and not self.subject_id:
            raise ValueError(f"a {self.role} actor needs subject_id")

    @property
    def is_admin(self) -> bool:
        """Whether the actor may do everything."""
        return self.role is Role.ADMIN

    @property
    def is_provider(self) -> bool:
        """Whether the actor is a unit or member acting for itself."""
        return self.role in PROVIDER_LABELS

    @property
    def provider_label(self) -> str | None:
        """``Unit`` or ``Member`` for a provider actor, else None."""
        return PROVIDER_LABELS.get(self.role)


SYSTEM = Actor("system", Role.ADMIN, display_name="系统")
"""The actor of scheduled sweeps (e.g. expiring needs), recorded as such in the audit."""
