"""requirements.lock pins every dependency pyproject.toml names, at a version its range allows, with
hashes; the checkers (ruff, mypy) are pinned exactly. A range changed without `make lock` fails here."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")


def pins(text: str) -> dict[str, Version]:
    """Package -> pinned version for this interpreter (markers evaluated here)."""
    found: dict[str, Version] = {}
    for line in text.splitlines():
        match = PIN.match(line.strip())
        if match and (match.group(3) is None or Marker(match.group(3)).evaluate()):
            found[canonicalize_name(match.group(1))] = Version(match.group(2))
    return found


def declared() -> list[Requirement]:
    """The runtime and test requirements of pyproject.toml that apply here."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]]
    return [r for r in reqs if r.marker is None or r.marker.evaluate()]


def test_the_lock_pins_every_declared_dependency_within_its_range() -> None:
    text = (ROOT / "requirements.lock").read_text()
    pinned = pins(text)
    assert len(pinned) > 50  # the whole tree, not only the direct dependencies
    problems = []
    for req in declared():
        version = pinned.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name} is not in requirements.lock")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} is outside pyproject's {req.specifier}")
    assert not problems, "run `make lock`: " + "; ".join(problems)
    assert text.count("--hash=sha256:") >= len(pinned)  # installed with --require-hashes


def test_the_checkers_are_pinned_exactly() -> None:
    by_name = {canonicalize_name(r.name): r for r in declared()}
    for tool in ("ruff", "mypy"):
        assert str(by_name[canonicalize_name(tool)].specifier).startswith("=="), (
            f"{tool} must be pinned exactly"
        )


def test_the_interpreter_is_the_one_the_lock_was_made_for() -> None:
    assert sys.version_info[:2] >= (3, 11)
    assert "--python-version 3.11" in (ROOT / "requirements.lock").read_text().splitlines()[1]
