"""Every registered statement that runs on FalkorDB was executed by some test of this session.

conftest orders this test last; it only means something after the whole suite has run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXECUTED, SUMMARY

from engine.store import GraphStore
from engine.store.registry import all_statements

TESTS = Path(__file__).resolve().parent


def partial_run_reason(request: pytest.FixtureRequest) -> str | None:
    """Why this session did not run the whole suite, or None when it did."""
    config = request.config
    collected = {Path(str(item.path)).resolve() for item in request.session.items}
    missing = sorted(p.name for p in TESTS.glob("test_*.py") if p.resolve() not in collected)
    if missing:
        return f"not collected: {', '.join(missing)}"
    if any("::" in arg for arg in config.args):
        return "single tests were selected by node id"
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    deselected = len(reporter.stats.get("deselected", [])) if reporter else 0
    if deselected or config.option.keyword or config.option.markexpr:
        return f"tests were deselected (-k/-m/--deselect/--lf: {deselected})"
    return None


def test_every_falkordb_statement_was_executed(request: pytest.FixtureRequest) -> None:
    reason = partial_run_reason(request)
    if reason:
        pytest.skip(f"statement coverage needs the whole suite ({reason})")
    runnable = sorted(s.name for s in all_statements() if s.falkordb is not None)
    ran = EXECUTED + GraphStore.executed_in_process
    never = [name for name in runnable if not ran[name]]
    SUMMARY.append(f"Statement coverage: {len(runnable) - len(never)} of {len(runnable)} ran on FalkorDB")
    assert not never, (
        f"{len(never)} registered statements never ran in this session "
        f"(add a test that runs them through the `store` fixture):\n  " + "\n  ".join(never)
    )
