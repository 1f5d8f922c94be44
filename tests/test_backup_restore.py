"""``lianjian backup`` and ``lianjian restore`` (issue 13, point 4) as a user runs them: real processes
against the embedded FalkorDB that a real API server owns and writes to meanwhile.

A backup taken during writes restores into a fresh data directory that starts (from its append-only
log) with the manifest's counts and a verified audit chain; a backup killed with SIGKILL midway
leaves the previous file byte for byte; restore refuses a running store's directory, a non-empty
one without --force, and a damaged file, changing nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_world import ApiWorld, build_api_world
from test_api_loop import app_settings, need_body

from engine.services.audit_chain import seal, verify
from engine.services.secret_box import SecretBox
from engine.settings import DATA_KEY_FILE, Settings
from engine.store.backup import RDB, BackupError, graph_counts, partial_path, restore
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.falkordb_store import FalkorDBStore

LIANJIAN = str(Path(sys.executable).with_name("lianjian"))
GRAPH = "lianjian"


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``lianjian`` process on ``data_dir``'s embedded store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIANJIAN_", "NEO4J_"))}
    return env | {"LIANJIAN_DATA_DIR": str(data_dir), "LIANJIAN_GRAPH": GRAPH, "COLUMNS": "200"} | extra


def lianjian(data_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``lianjian args`` on ``data_dir``; returns the finished process."""
    return subprocess.run(
        [LIANJIAN, *args], env=env_for(data_dir, **extra), capture_output=True, text=True, timeout=300
    )


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        data: dict[str, Any] = json.loads(member.read())
        return data


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiWorld]:
    """The tiny demo served by a real uvicorn over the embedded store of its own data directory
    (the server this process started, as ``lianjian serve`` does); the audit chain sealed."""
    data = tmp_path_factory.mktemp("served") / "data"
    server = EmbeddedFalkorDB(data).start()
    store = FalkorDBStore.open(server.socket_path, GRAPH)
    try:
        for world in build_api_world(store, Settings(data_dir=data, backend="falkordb", graph=GRAPH)):
            assert seal(store) > 0
            yield world
    finally:
        store.close()
        server.stop()


def data_dir_of(world: ApiWorld) -> Path:
    return app_settings(world).data_dir


def count(world: ApiWorld, label: str) -> int:
    return graph_counts(world.store).nodes.get(label, 0)


def test_a_backup_during_writes_restores_with_the_manifests_counts_and_a_verified_chain(
    world: ApiWorld, tmp_path: Path
) -> None:
    data, out = data_dir_of(world), tmp_path / "b.tar"
    secretary, org = world.client("secretary"), str(world.accounts["secretary"]["scope_org_id"])
    stop = threading.Event()
    posted: list[httpx.Response] = []
    errors: list[httpx.Response] = []

    def write() -> None:
        while not stop.is_set():
            answer = secretary.post("/needs", json=need_body(org, title=f"备份期间的需求 {len(posted)}"))
            (posted if answer.status_code == 201 else errors).append(answer)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(posted) < 5 and not errors:
            time.sleep(0.01)
        needs_before = count(world, "Need")
        done = lianjian(data, "backup", str(out))
        needs_after = count(world, "Need")
        while len(posted) < 5 + (needs_after - needs_before) + 3 and not errors:  # writes go on after
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    assert not errors, errors[0].text
    assert needs_after > needs_before  # the API wrote while the backup ran
    manifest = manifest_of(out)
    assert needs_before <= manifest["nodes"]["Need"] <= needs_after  # one point in time
    assert manifest["nodes"] != graph_counts(world.store).nodes  # the store moved on after it
    assert manifest["schema_version"] >= 2 and manifest["graph"] == GRAPH
    assert manifest["audit_head"]["seq"] > 0 and len(manifest["audit_head"]["hash"]) == 64
    assert not partial_path(out).exists()

    fresh = tmp_path / "restored"
    restored = lianjian(fresh, "restore", str(out))
    assert restored.returncode == 0, restored.stderr
    assert "audit chain verified" in restored.stdout
    assert (fresh / "appendonlydir").is_dir() and not (fresh / RDB).exists()
    with EmbeddedFalkorDB(fresh) as server, FalkorDBStore.open(server.socket_path, GRAPH) as store:
        assert server.owned  # started here, from the restored directory's append-only log
        counts = graph_counts(store)
        assert (counts.nodes, counts.relationships) == (manifest["nodes"], manifest["relationships"])
        chain = verify(store)
        assert chain.ok and chain.head_seq == manifest["audit_head"]["seq"]
        # every need of the snapshot came with its audit entry (each write is one statement)
        assert chain.entries + chain.unsealed == counts.nodes["AuditEntry"]

    # nothing runs on the restored directory now: backup starts its store, backs up and stops it
    assert not EmbeddedFalkorDB(fresh).alive()
    again = lianjian(fresh, "backup", str(tmp_path / "again.tar"))
    assert again.returncode == 0, again.stderr
    second = manifest_of(tmp_path / "again.tar")
    assert (second["nodes"], second["relationships"], second["audit_head"]) == (
        manifest["nodes"],
        manifest["relationships"],
        manifest["audit_head"],
    )
    assert not EmbeddedFalkorDB(fresh).alive()


def test_a_backup_killed_midway_leaves_the_previous_one_intact(world: ApiWorld, tmp_path: Path) -> None:
    data, out = data_dir_of(world), tmp_path / "b.tar"
    first = lianjian(data, "backup", str(out))
    assert first.returncode == 0, first.stderr
    before = out.read_bytes()
    world.client("secretary").post("/needs", json=need_body(str(world.accounts["secretary"]["scope_org_id"])))

    proc = subprocess.Popen(
        [LIANJIAN, "backup", str(out)], env=env_for(data), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    partial, deadline = partial_path(out), time.monotonic() + 120
    while not partial.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else b""  # killed midway
    assert partial.exists() and out.read_bytes() == before  # the half file never took OUT's name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.tar", "b.tar.partial", "b.tar.partial.d"]

    restored = lianjian(tmp_path / "restored", "restore", str(out))
    assert restored.returncode == 0, restored.stderr
    again = lianjian(data, "backup", str(out))  # the next backup replaces the leftover partial file
    assert again.returncode == 0, again.stderr
    assert out.read_bytes() != before and oct(out.stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.tar", "restored"]  # leftovers cleared
    assert manifest_of(out)["nodes"]["Need"] == manifest_of_bytes(before, tmp_path)["nodes"]["Need"] + 1


def manifest_of_bytes(data: bytes, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "earlier.tar"
    path.write_bytes(data)
    return manifest_of(path)


def test_restore_refuses_a_running_store_a_non_empty_dir_and_a_damaged_file(
    world: ApiWorld, tmp_path: Path
) -> None:
    data, good = data_dir_of(world), tmp_path / "good.tar"
    assert lianjian(data, "backup", str(good)).returncode == 0
    listing = sorted(p.name for p in data.iterdir())

    running = lianjian(data, "restore", str(good), "--force")
    assert running.returncode == 1 and "正在使用" in running.stderr and "Traceback" not in running.stderr
    assert sorted(p.name for p in data.iterdir()) == listing and count(world, "Need") > 0

    damaged = tmp_path / "damaged.tar"
    raw = bytearray(good.read_bytes())
    middle = len(raw) // 3
    raw[middle : middle + 64] = bytes(64)
    damaged.write_bytes(bytes(raw))
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(good.read_bytes()[: len(raw) // 2])
    refused = lianjian(tmp_path / "into-damaged", "restore", str(damaged))
    assert refused.returncode == 1 and "损坏" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "into-damaged").exists()
    for bad, says in ((truncated, "损坏"), (tmp_path / "missing.tar", "找不到")):
        with pytest.raises(BackupError, match=says):
            restore(bad, tmp_path / f"into-{bad.stem}")
        assert not (tmp_path / f"into-{bad.stem}").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no staging left

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("旧数据")
    key = SecretBox.from_settings(Settings(data_dir=occupied))  # the deployment's data key
    sealed = key.seal("JBSWY3DPEHPK3PXP", owner="acc-1")
    refused = lianjian(occupied, "restore", str(good))
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert sorted(p.name for p in occupied.iterdir()) == [DATA_KEY_FILE, "keep.txt"]
    forced = lianjian(occupied, "restore", str(good), "--force")
    assert forced.returncode == 0, forced.stderr
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("occupied.before-restore-")]
    assert len(aside) == 1 and (aside[0] / "keep.txt").read_text() == "旧数据"
    # the deployment's keys are carried into the restored directory: its TOTP secrets still open
    assert not (occupied / "keep.txt").exists() and (occupied / DATA_KEY_FILE).is_file()
    assert (
        SecretBox.from_settings(Settings(data_dir=occupied)).open(sealed, owner="acc-1") == "JBSWY3DPEHPK3PXP"
    )


def test_neo4j_backup_points_to_neo4j_admin(tmp_path: Path) -> None:
    for command in ("backup", "restore"):
        done = lianjian(tmp_path / "unused", command, str(tmp_path / "b.tar"), NEO4J_URI="bolt://127.0.0.1:1")
        assert done.returncode == 1 and "neo4j-admin database" in done.stderr, done.stderr
        assert not (tmp_path / "b.tar").exists() and not (tmp_path / "unused").exists()
