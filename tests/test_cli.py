"""The ``lianjian`` command as a user runs it: a real process, the real embedded store."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from engine.settings import Settings

LIANJIAN = str(Path(sys.executable).with_name("lianjian"))


def run_cli(settings: Settings, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``lianjian args`` against the test's graph; returns the finished process."""
    env = {
        **os.environ,
        "LIANJIAN_FALKORDB_SOCKET": str(settings.falkordb_socket),
        "LIANJIAN_GRAPH": settings.graph,
        "LIANJIAN_DATA_DIR": str(settings.data_dir),
        "LIANJIAN_BACKEND": "falkordb",
        "COLUMNS": "200",
    }
    return subprocess.run([LIANJIAN, *args], env=env, capture_output=True, text=True, timeout=timeout)


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
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "LIANJIAN_FALKORDB_SOCKET": str(settings_for.falkordb_socket),
        "LIANJIAN_GRAPH": settings_for.graph,
        "LIANJIAN_DATA_DIR": str(settings_for.data_dir),
        "LIANJIAN_PORT": str(port),
    }
    proc = subprocess.Popen([LIANJIAN, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "server did not answer"
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_serve_with_worker_runs_the_jobs_in_the_server(settings_for: Settings) -> None:
    """``lianjian serve --worker``: the worker's jobs run inside the serving process (here the expiry
    sweep, which runs at start: a need past its window is expired while the API answers)."""
    import socket

    from engine.services.needs import EXPIRY_REASON
    from engine.store.falkordb_store import FalkorDBStore
    from engine.store.queries.nodes import node_stmt

    assert settings_for.falkordb_socket is not None
    store = FalkorDBStore.open(settings_for.falkordb_socket, settings_for.graph)
    past = {"window_start": "2026-01-01T00:00:00Z", "window_end": "2026-01-02T00:00:00Z"}
    store.run(node_stmt("bulk_create", "Need"), {"rows": [{"id": "N-old", "status": "open", **past}]})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "LIANJIAN_FALKORDB_SOCKET": str(settings_for.falkordb_socket),
        "LIANJIAN_GRAPH": settings_for.graph,
        "LIANJIAN_DATA_DIR": str(settings_for.data_dir),
        "LIANJIAN_BACKEND": "falkordb",
        "LIANJIAN_PORT": str(port),
    }
    proc = subprocess.Popen(
        [LIANJIAN, "serve", "--worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            need = store.one(node_stmt("get", "Need"), {"id": "N-old"})
            if need and need["node"]["status"] == "expired":
                break
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the expiry job did not run inside the server"
            time.sleep(0.3)
        assert need["node"]["status_reason"] == EXPIRY_REASON
        while True:  # and the same process serves the API
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        store.close()
