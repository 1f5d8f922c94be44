"""Backup and restore of the embedded FalkorDB store, consistent while the API serves writes.

A backup is one tar file holding ``dump.rdb`` (a point-in-time snapshot: the server forks and
streams an RDB over its socket, as it does for a replica, with ``REPLCONF rdb-only``) and
``manifest.json`` (lianjian version, schema version, time, node and relationship counts per label
and type, the audit chain's head). The manifest's figures are read from the snapshot itself,
loaded into a temporary server, so they describe exactly what the file holds and a snapshot that
does not load is never published. The file is written as ``OUT.partial``, fsynced and renamed onto
``OUT``: a backup killed midway leaves the previous ``OUT`` as it was.

A restore works in a staging directory beside the target: it loads the RDB into a temporary
server with appendonly off, turns the append-only log on (Redis then rewrites it from memory),
checks the counts against the manifest, stops, and only then puts the directory in place (a
non-empty target, with ``force``, is moved aside, not deleted; the deployment's key files in it,
the data key and the token secret, are carried into the restored one). A corrupt archive changes
nothing.
Neo4j is backed up with ``neo4j-admin database dump``/``load`` (``NEO4J_COMMANDS``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import socket
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from engine.settings import DEPLOYMENT_FILES
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.errors import StoreError
from engine.store.falkordb_store import FalkorDBStore
from engine.store.queries import audit_chain as chain_queries
from engine.store.queries import meta as meta_queries

FORMAT = "lianjian-backup/1"
MANIFEST = "manifest.json"
RDB = "dump.rdb"
REWRITE_TIMEOUT_S = 1800.0

NEO4J_COMMANDS = (
    "neo4j-admin database dump neo4j --to-path=/backups  # Community: with Neo4j stopped",
    "neo4j-admin database load neo4j --from-path=/backups --overwrite-destination=true",
)


class BackupError(StoreError):
    """A backup or restore that cannot be done; the message says why (nothing was changed)."""


@dataclass(frozen=True)
class Counts:
    """Nodes per label and relationships per type of one graph."""

    nodes: dict[str, int]
    relationships: dict[str, int]


def graph_counts(store: GraphStore) -> Counts:
    """Nodes per label and relationships per type in ``store``'s graph."""
    nodes = {str(r["label"]): int(r["count"]) for r in store.run(meta_queries.COUNT_BY_LABEL)}
    rels = {str(r["type"]): int(r["count"]) for r in store.run(meta_queries.COUNT_BY_REL)}
    return Counts(nodes, rels)


def describe(store: GraphStore) -> dict[str, Any]:
    """What a manifest says about a graph: schema version, counts, the audit chain's head."""
    version = store.one(meta_queries.SCHEMA_VERSION_GET)
    head = store.one(chain_queries.HEAD)
    counts = graph_counts(store)
    return {
        "schema_version": int(version["version"]) if version and version["version"] is not None else None,
        "nodes": counts.nodes,
        "relationships": counts.relationships,
        "audit_head": {"seq": int(head["seq"]), "hash": str(head["hash"])} if head else None,
    }


# Taking the snapshot ----------------------------------------------------------------------------


def _resp(*parts: str) -> bytes:
    """A command in the Redis protocol."""
    out = [f"*{len(parts)}\r\n".encode()]
    for part in parts:
        data = part.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def fetch_rdb(socket_path: Path, dest: Path) -> int:
    """Stream a point-in-time RDB snapshot of the server on ``socket_path`` into ``dest`` (fsynced);
    returns its size. The server forks, so writes go on meanwhile and the snapshot is consistent."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(socket_path))
        reader = sock.makefile("rb")
        sock.sendall(_resp("REPLCONF", "rdb-only", "1"))
        answer = reader.readline()
        if not answer.startswith(b"+OK"):
            raise BackupError(f"FalkorDB refused a snapshot: {answer.decode(errors='replace').strip()}")
        sock.sendall(_resp("SYNC"))
        line = b"\n"
        while line.strip() == b"":  # newlines keep the link alive while the server forks and saves
            line = reader.readline()
            if not line:
                raise BackupError("FalkorDB closed the connection before sending its snapshot")
        if not line.startswith(b"$"):
            raise BackupError(f"FalkorDB refused a snapshot: {line.decode(errors='replace').strip()}")
        with open(dest, "wb") as out:
            size = _copy_payload(reader, line, out)
            out.flush()
            os.fsync(out.fileno())
    return size


def _copy_payload(reader: io.BufferedReader, header: bytes, out: io.BufferedWriter) -> int:
    """Copy the RDB after its header: ``$<length>`` or ``$EOF:<40-byte mark>`` (diskless)."""
    if header.startswith(b"$EOF:"):
        mark = header[5:45]
        tail, size = b"", 0
        while True:
            chunk = reader.read1(1 << 20)
            if not chunk:
                raise BackupError("FalkorDB's snapshot ended early")
            data = tail + chunk
            if data.endswith(mark):
                out.write(data[: -len(mark)])
                return size + len(data) - len(mark)
            out.write(data[:-40])
            size += max(len(data) - 40, 0)
            tail = data[-40:]
    remaining = int(header[1:].strip())
    size = remaining
    while remaining:
        chunk = reader.read(min(remaining, 1 << 20))
        if not chunk:
            raise BackupError("FalkorDB's snapshot ended early")
        out.write(chunk)
        remaining -= len(chunk)
    return size


@contextmanager
def snapshot_server(directory: Path) -> Iterator[EmbeddedFalkorDB]:
    """A temporary server on ``directory/dump.rdb`` (appendonly off), stopped on exit."""
    server = EmbeddedFalkorDB(directory, snapshot_only=True)
    try:
        server.start()
        if not server.owned:
            raise BackupError(f"a FalkorDB server already runs on {server.socket_path}")
        yield server
    finally:
        server.stop()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def partial_path(out: Path) -> Path:
    """Where a backup is written before it takes ``out``'s name."""
    return out.with_name(out.name + ".partial")


def backup(socket_path: Path, graph: str, out: Path) -> dict[str, Any]:
    """Back up the server on ``socket_path`` into the tar file ``out``; returns the manifest."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(out)
    work = out.with_name(out.name + ".partial.d")  # beside OUT: a killed backup's copy stays there
    shutil.rmtree(work, ignore_errors=True)  # what an interrupted backup left
    work.mkdir(mode=0o700)
    try:
        rdb = work / RDB
        started = time.perf_counter()
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
        with open(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w") as tar:
                size = fetch_rdb(socket_path, rdb)
                tar.add(rdb, arcname=RDB)
                with snapshot_server(work) as server, FalkorDBStore.open(server.socket_path, graph) as store:
                    facts = describe(store)
                manifest = {
                    "format": FORMAT,
                    "lianjian_version": importlib.metadata.version("lianjian"),
                    "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "backend": "falkordb",
                    "graph": graph,
                    "rdb_bytes": size,
                    "rdb_sha256": _sha256(rdb),
                    "seconds": round(time.perf_counter() - started, 3),
                    **facts,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(data))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, out)
        _fsync_dir(out.parent)
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)
        partial.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# Restoring -------------------------------------------------------------------------------------


def read_archive(archive: Path, into: Path) -> dict[str, Any]:
    """Check ``archive`` and unpack its RDB into ``into``; returns the manifest. A missing, truncated
    or altered file raises BackupError."""
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 backup file not found: {archive}")
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            names = set(tar.getnames())
            if not {MANIFEST, RDB} <= names:
                raise BackupError(f"不是 lianjian 备份 not a lianjian backup (needs {MANIFEST} and {RDB})")
            manifest_file = tar.extractfile(MANIFEST)
            rdb_file = tar.extractfile(RDB)
            assert manifest_file is not None and rdb_file is not None
            manifest = json.loads(manifest_file.read().decode())
            with open(into / RDB, "wb") as out:
                shutil.copyfileobj(rdb_file, out)
                out.flush()
                os.fsync(out.fileno())
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"备份文件已损坏 the backup file is damaged: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式 unsupported backup format: {manifest.get('format')!r}")
    if _sha256(into / RDB) != manifest.get("rdb_sha256"):
        raise BackupError(
            "备份文件已损坏 the backup file is damaged: its snapshot does not match its manifest"
        )
    return manifest


def _wait_for_aof(client: redis.Redis) -> None:
    """Wait until the append-only log turned on by CONFIG SET is fully written."""
    deadline = time.monotonic() + REWRITE_TIMEOUT_S
    while True:
        info = client.info("persistence")
        done = (
            int(info.get("aof_enabled", 0)) == 1
            and int(info.get("aof_rewrite_in_progress", 1)) == 0
            and int(info.get("aof_rewrite_scheduled", 1)) == 0
            and int(info.get("aof_rewrites", 0)) >= 1
        )
        if done:
            if info.get("aof_last_bgrewrite_status") != "ok":
                raise BackupError("FalkorDB could not write its append-only log from the backup")
            return
        if time.monotonic() > deadline:
            raise BackupError("FalkorDB did not finish writing its append-only log in time")
        time.sleep(0.05)


def data_dir_in_use(data_dir: Path) -> bool:
    """Whether a FalkorDB server answers on ``data_dir``'s socket."""
    return EmbeddedFalkorDB(data_dir).state() != "down"


def restore(archive: Path, data_dir: Path, *, force: bool = False) -> tuple[dict[str, Any], Path | None]:
    """Restore ``archive`` into ``data_dir``; returns the manifest and where a non-empty previous
    directory was moved (``force``). Refuses a directory whose server runs, or a non-empty one
    without ``force``; on any failure the target is left as it was."""
    data_dir = data_dir.resolve()
    if data_dir_in_use(data_dir):
        raise BackupError(
            f"数据目录正在使用 the store of {data_dir} is running: stop the server (lianjian serve) first"
        )
    occupied = data_dir.exists() and any(data_dir.iterdir())
    if occupied and not force:
        raise BackupError(
            f"数据目录非空 {data_dir} is not empty: restore into a fresh directory or pass --force "
            "(the present one is then moved aside, not deleted)"
        )
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    staging = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.restore-", dir=data_dir.parent))
    try:
        os.chmod(staging, 0o700)
        manifest = read_archive(archive, staging)
        with snapshot_server(staging) as server:
            client = redis.Redis(unix_socket_path=str(server.socket_path), socket_timeout=60)
            try:
                client.config_set("appendonly", "yes")
                _wait_for_aof(client)
            finally:
                client.close()
            with FalkorDBStore.open(server.socket_path, str(manifest["graph"])) as store:
                check_counts(store, manifest)
        (staging / RDB).unlink()
        for name in DEPLOYMENT_FILES:  # the deployment's keys stay: TOTP secrets open with its data key
            if (data_dir / name).is_file():
                shutil.copy2(data_dir / name, staging / name)
        moved: Path | None = None
        if data_dir.exists():
            if occupied:
                moved = data_dir.with_name(f"{data_dir.name}.before-restore-{stamp}")
                os.replace(data_dir, moved)
            else:
                data_dir.rmdir()
        os.replace(staging, data_dir)
        _fsync_dir(data_dir.parent)
        return manifest, moved
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_counts(store: GraphStore, manifest: dict[str, Any]) -> Counts:
    """The graph's counts, which must equal the manifest's; BackupError names the first difference."""
    counts = graph_counts(store)
    for kind, found in (("nodes", counts.nodes), ("relationships", counts.relationships)):
        expected = {str(k): int(v) for k, v in dict(manifest.get(kind) or {}).items()}
        if found != expected:
            diff = sorted(k for k in set(found) | set(expected) if found.get(k) != expected.get(k))
            raise BackupError(
                f"恢复后数量不符 counts differ from the backup's manifest ({kind}: "
                + ", ".join(f"{k} {expected.get(k, 0)}≠{found.get(k, 0)}" for k in diff[:5])
                + ")"
            )
    return counts
