"""The ``lianjian`` command as a user runs it: a real process, the real embedded store."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest
from cli_process import cli_env, free_port, run, running, wait_until

from engine.settings import Settings


def run_cli(settings: Settings, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``lianjian args`` against the test's graph; returns the finished process."""
    return run(cli_env(settings), *args, timeout=timeout)


def test_schema_apply_is_safe_to_repeat(settings_for: Settings) -> None:
    first = run_cli(settings_for, "schema", "apply")
    assert first.returncode == 0, first.stderr
    second = run_cli(settings_for, "schema", "apply")
    assert second.returncode == 0, second.stderr
    assert " 0 created" in second.stdout and "created" in first.stdout
    assert " 0 created" not in first.stdout


def test_demo_loads_and_prints_a_summary(settings_for: Settings) -> None:
    from engine.demo import generate

    done = run_cli(settings_for, "demo", "--size", "tiny")
    assert done.returncode == 0, done.stderr
    expected = generate("tiny", 2026).counts()
    members = expected["Member"]
    assert "Member" in done.stdout and f"{members:,}" in done.stdout


def test_unknown_demo_size_is_a_plain_error(settings_for: Settings) -> None:
    done = run_cli(settings_for, "demo", "--size", "galaxy")
    assert done.returncode == 1
    assert "galaxy" in done.stderr and "Traceback" not in done.stderr + done.stdout


def test_missing_import_file_is_a_plain_error(settings_for: Settings, tmp_path: Path) -> None:
    done = run_cli(settings_for, "import", str(tmp_path / "nope.csv"))
    assert done.returncode == 1
    assert "找不到文件" in done.stderr and "Traceback" not in done.stderr + done.stdout


def test_unreachable_store_is_a_plain_error(settings_for: Settings, tmp_path: Path) -> None:
    dead = settings_for.model_copy(update={"falkordb_socket": tmp_path / "nobody.sock"})
    done = run_cli(dead, "schema", "apply")
    assert done.returncode == 1
    assert "图数据库" in done.stderr and "Traceback" not in done.stderr + done.stdout


def test_import_rejects_a_bad_file_and_names_the_row(settings_for: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "orgs.csv"
    bad.write_text(
        "id,name,level,kind\norg-1,玉林街道党工委,street,big_council\norg-2,玉林社区党委,nowhere,standard\n"
    )
    done = run_cli(settings_for, "import", str(bad))
    assert done.returncode == 1
    assert re.search(r"第 3 行“level”列", done.stderr), done.stderr  # the bad row and column, named
    assert "Traceback" not in done.stderr
    counts = run_cli(settings_for, "export", str(tmp_path / "out.json"), "--format", "json")
    assert counts.returncode == 0, counts.stderr
    assert "org-1" not in (tmp_path / "out.json").read_text(encoding="utf-8")


@pytest.mark.slow
def test_serve_answers_health_and_docs(settings_for: Settings) -> None:
    port = free_port()
    with running(cli_env(settings_for, LIANJIAN_PORT=port), "serve") as server:
        health = wait_until(
            lambda: httpx.get(f"http://127.0.0.1:{port}/health", timeout=2), server, "server did not answer"
        )
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5).status_code == 200


@pytest.mark.slow
def test_serve_with_worker_runs_the_jobs_in_the_server(settings_for: Settings) -> None:
    """``lianjian serve --worker``: the worker's jobs run inside the serving process (here the expiry
    sweep, which runs at start: a need past its window is expired while the API answers)."""
    from engine.services.needs import EXPIRY_REASON
    from engine.store.base import Row
    from engine.store.falkordb_store import FalkorDBStore
    from engine.store.queries.nodes import node_stmt

    assert settings_for.falkordb_socket is not None
    port = free_port()
    with FalkorDBStore.open(settings_for.falkordb_socket, settings_for.graph) as store:
        past = {"window_start": "2026-01-01T00:00:00Z", "window_end": "2026-01-02T00:00:00Z"}
        store.run(node_stmt("bulk_create", "Need"), {"rows": [{"id": "N-old", "status": "open", **past}]})
        with running(cli_env(settings_for, LIANJIAN_PORT=port), "serve", "--worker") as server:

            def expired() -> Row | None:
                need = store.one(node_stmt("get", "Need"), {"id": "N-old"})
                return need if need and need["node"]["status"] == "expired" else None

            need = wait_until(expired, server, "the expiry job did not run inside the server", every=0.3)
            assert need["node"]["status_reason"] == EXPIRY_REASON
            health = wait_until(  # and the same process serves the API
                lambda: httpx.get(f"http://127.0.0.1:{port}/health", timeout=5),
                server,
                "the server did not answer",
            )
            assert health.status_code == 200
