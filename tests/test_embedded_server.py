"""The embedded FalkorDB server: reuse and ownership, a private unix socket and no TCP port,
an append-only file synced on every write, long data paths and stale sockets."""

from __future__ import annotations

import os
import signal
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from engine.store import StoreUnavailable
from engine.store.embedded import MAX_SOCKET_PATH, EmbeddedFalkorDB, socket_path_for


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedFalkorDB]:
    """A server of its own in a fresh data directory, stopped at the end."""
    srv = EmbeddedFalkorDB(tmp_path / "data").start()
    yield srv
    srv.stop()


def config(srv: EmbeddedFalkorDB, key: str) -> str:
    """One CONFIG GET value of the server, as text."""
    client = redis.Redis(unix_socket_path=str(srv.socket_path), decode_responses=True)
    try:
        value = client.config_get(key)[key]
    finally:
        client.close()
    return str(value)


def mode(path: Path) -> int:
    """Permission bits of ``path``."""
    return stat.S_IMODE(path.stat().st_mode)


def kill(srv: EmbeddedFalkorDB) -> None:
    """SIGKILL the server this object started and reap it, as a crash would leave things."""
    assert srv.process is not None
    os.kill(srv.process.pid, signal.SIGKILL)
    srv.process.wait(timeout=30)


def test_a_second_instance_reuses_the_running_server(server: EmbeddedFalkorDB) -> None:
    assert server.owned and server.alive()
    pid = server.process.pid if server.process else None
    other = EmbeddedFalkorDB(server.data_dir).start()
    assert not other.owned and other.socket_path == server.socket_path
    other.stop()
    assert server.alive(), "stop() of a server it did not start must leave it running"
    assert server.process is not None and server.process.pid == pid and server.process.poll() is None

    process = server.process
    server.stop()
    assert not server.alive() and not server.owned
    assert process.poll() is not None


def test_socket_is_private_and_there_is_no_tcp_port(server: EmbeddedFalkorDB) -> None:
    assert server.socket_path.parent == server.data_dir
    assert stat.S_ISSOCK(server.socket_path.stat().st_mode)
    assert mode(server.socket_path) & 0o077 == 0
    assert mode(server.data_dir) == 0o700
    assert config(server, "port") == "0"
    assert config(server, "unixsocketperm") == "700"


def test_every_write_is_appended_and_synced(server: EmbeddedFalkorDB) -> None:
    assert config(server, "appendonly") == "yes"
    assert config(server, "appendfsync") == "always"
    assert Path(config(server, "dir")).resolve() == server.data_dir


def test_a_long_data_path_puts_the_socket_in_a_short_private_dir(tmp_path: Path) -> None:
    deep = tmp_path / ("很深的目录-" + "d" * 60) / ("e" * 40)
    assert len(os.fsencode(deep / "falkordb.sock")) > MAX_SOCKET_PATH
    srv = EmbeddedFalkorDB(deep)
    try:
        srv.start()
        assert srv.owned and srv.alive()
        assert len(os.fsencode(srv.socket_path)) <= MAX_SOCKET_PATH
        assert srv.socket_path.parent == Path(tempfile.gettempdir()) / f"lianjian-{os.getuid()}"
        assert mode(srv.socket_path.parent) == 0o700
        assert mode(srv.socket_path) & 0o077 == 0
        assert socket_path_for(deep) == srv.socket_path  # the next start finds the same server
        assert config(srv, "appendonly") == "yes"
    finally:
        srv.stop()
    assert not srv.alive()


def test_a_stale_socket_of_a_killed_server_is_replaced(tmp_path: Path) -> None:
    first = EmbeddedFalkorDB(tmp_path / "data").start()
    try:
        client = redis.Redis(unix_socket_path=str(first.socket_path))
        client.set("before", "crash")
        client.close()
        kill(first)
    finally:
        first.stop()
    assert first.socket_path.exists() and not first.alive()

    second = EmbeddedFalkorDB(tmp_path / "data").start()
    try:
        assert second.owned and second.alive()
        client = redis.Redis(unix_socket_path=str(second.socket_path))
        assert client.get("before") == b"crash"
        client.close()
    finally:
        second.stop()


def test_a_short_socket_dir_that_is_a_symlink_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared_tmp = tmp_path / "tmp"
    (shared_tmp / "elsewhere").mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    (shared_tmp / f"lianjian-{os.getuid()}").symlink_to(shared_tmp / "elsewhere")
    srv = EmbeddedFalkorDB(tmp_path / ("d" * 120))
    assert srv.socket_path.parent.parent == shared_tmp
    with pytest.raises(StoreUnavailable, match="not a directory of this user"):
        srv.start()
    assert not srv.owned and not list((shared_tmp / "elsewhere").iterdir())
