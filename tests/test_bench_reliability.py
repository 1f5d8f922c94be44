"""The reliability benchmark (bench/reliability.py) still runs end to end and meets its targets, on
a small scale: a tiny demo, a few providers racing for a few needs, two seconds of writes around
each kill -9, the lockout, and schemathesis over every tenth operation as one role.

FalkorDB only: the bench starts ``lianjian serve`` over its own embedded FalkorDB and kills that
store's ``redis-server`` with SIGKILL, which has no Neo4j counterpart here (the test Neo4j is shared
by the session); the figures it checks are the server's, whatever the backend."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BACKENDS, SUMMARY

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "reliability.py"
SMALL = ["--quick", "--providers", "6", "--needs", "4", "--writers", "2", "--phase-seconds", "2",
         "--lockout-threads", "4", "--fuzz-roles", "member", "--fuzz-every", "10"]  # fmt: skip
SECTIONS = ("claims", "lockout", "kill", "fuzz")


@pytest.mark.slow
@pytest.mark.skipif("falkordb" not in BACKENDS, reason="the bench kills its embedded FalkorDB")
def test_the_reliability_bench_runs_and_meets_its_targets() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *SMALL], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    out = done.stdout
    assert done.returncode == 0, f"{out[-4000:]}\n{done.stderr[-4000:]}"
    summary = out[out.index("\nsummary") :]
    rows = re.findall(r"^  (ok|MISSED|-)\s+(\w+)\s+(.+)$", summary, re.MULTILINE)
    assert {section for _, section, _ in rows} == set(SECTIONS), summary
    assert all(mark != "MISSED" for mark, _, _ in rows), summary
    figures = {name.split(": ")[0]: name.split(": ", 1)[1] for _, _, name in rows}
    lost = re.match(r"0 of (\d+)", figures["acknowledged writes missing after kill -9 of store and API"])
    assert lost and int(lost.group(1)) > 0, figures  # writes were acknowledged, and none went missing
    assert figures["needs with more active claims than wanted (store)"].startswith("0 ")
    assert figures["tokens issued after the lock engaged"].startswith("0 ")
    fuzzed = re.match(r"0 of (\d+)", figures["5xx answers in the schemathesis run"])
    assert fuzzed and int(fuzzed.group(1)) > 0, figures
    assert "verdict: every target met" in out
    SUMMARY.append(
        f"reliability bench (small): {lost.group(0)} acknowledged writes lost after kill -9, "
        f"{fuzzed.group(0)} answers 5xx under fuzzing, no double claim, no token after the lock"
    )
