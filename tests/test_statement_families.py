"""Statement families picked by label (``CREATE[label]``, ``PERSONAL_TIES[label]`` …) hold every
registered member of their family, so a statement registered for a new label in another module
(requests' personal-data ties, say) is not missed at the call site."""

from __future__ import annotations

import importlib
import pkgutil

import engine.store.queries as queries
from engine.store.registry import Statement, all_statements


def families() -> dict[str, dict[str, Statement]]:
    """Every module-level dict of statements in the query modules, by ``module.NAME``."""
    found: dict[str, dict[str, Statement]] = {}
    for info in pkgutil.walk_packages(queries.__path__, queries.__name__ + "."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            statements = isinstance(value, dict) and all(isinstance(v, Statement) for v in value.values())
            if name.isupper() and value and statements:
                found[f"{info.name}.{name}"] = value
    return found


def test_every_family_holds_every_registered_member() -> None:
    found = families()
    assert len(found) >= 15
    names = {s.name for s in all_statements()}
    for where, family in found.items():
        prefixes = {s.name.rsplit(".", 1)[0] for s in family.values()}
        assert len(prefixes) == 1, (where, prefixes)  # one family, named by its label
        prefix = prefixes.pop()
        assert all(s.name == f"{prefix}.{key}" for key, s in family.items()), where
        registered = {n.rsplit(".", 1)[1] for n in names if n.rsplit(".", 1)[0] == prefix}
        assert registered == set(family), (where, registered ^ set(family))
