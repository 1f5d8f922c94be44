"""Every registered statement that runs on FalkorDB was executed by some test of this session.

conftest orders this test last; it only means something after the whole suite has run.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import EXECUTED, SUMMARY, trimmed

from engine.store import GraphStore
from engine.store.registry import all_statements

TESTS = Path(__file__).resolve().parent


def partial_run_reason(session: pytest.Session) -> str | None:
    """Why this session did not run the whole suite, or None when it did."""
    config = session.config
    collected = {Path(str(item.path)).resolve() for item in session.items}
    missing = sorted(p.name for p in TESTS.glob("test_*.py") if p.resolve() not in collected)
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        return f"not collected: {', '.join(missing[:5])}{more}"
    if any("::" in arg for arg in config.args):
        return "single tests were selected by node id"
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    # the Neo4j runs conftest trims (FULL_RUN) are not a partial run: coverage is counted on FalkorDB
    deselected = len([i for i in reporter.stats.get("deselected", []) if not trimmed(i)]) if reporter else 0
    if deselected or config.option.keyword or config.option.markexpr:
        return f"tests were deselected (-k/-m/--deselect/--lf: {deselected})"
    return None


def check_coverage(ran: Counter[str]) -> list[str]:
    """The registered FalkorDB statements ``ran`` never counts (and a SUMMARY line of the figures)."""
    runnable = sorted(s.name for s in all_statements() if s.falkordb is not None)
    never = [name for name in runnable if not ran[name]]
    SUMMARY.append(f"Statement coverage: {len(runnable) - len(never)} of {len(runnable)} ran on FalkorDB")
    return never


def test_every_falkordb_statement_was_executed(request: pytest.FixtureRequest) -> None:
    if hasattr(request.config, "workerinput"):
        pytest.skip("on xdist workers the controller checks coverage over every worker's counts (conftest)")
    reason = partial_run_reason(request.session)
    if reason:
        pytest.skip(f"statement coverage needs the whole suite ({reason})")
    never = check_coverage(EXECUTED + GraphStore.executed_in_process)
    assert not never, (
        f"{len(never)} registered statements never ran in this session "
        f"(add a test that runs them through the `store` fixture):\n  " + "\n  ".join(never)
    )
