"""The embedded store comes back by itself: the process that started the FalkorDB server restarts
it on the same data directory when it dies (SIGKILL here), reaps the dead child, and the API
answers again within seconds with every acknowledged write still there; a server this process
only reuses is left to its owner."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis
from conftest import SUMMARY, LiveServer

from api.auth.tokens import issue_token
from engine.demo import generate, load_dataset
from engine.services.clock import utc_now
from engine.settings import Settings
from engine.store import apply_schema, open_store
from engine.store.embedded import (
    RESTART_DELAYS_S,
    REUSED_WATCH_INTERVAL_S,
    EmbeddedFalkorDB,
    restart_delay,
    socket_path_for,
)
from engine.store.queries.nodes import node_stmt

SECRET = "supervision-test-secret-0123456789-abcdefghij"
COMMUNITY = "org-s01-c01"  # a community of the tiny demo
BACK_WITHIN_S = 10.0


def server_pid(socket: Path) -> int:
    """The pid of the redis-server answering on ``socket`` (from its own INFO)."""
    client = redis.Redis(unix_socket_path=str(socket), decode_responses=True)
    try:
        return int(client.info("server")["process_id"])
    finally:
        client.close()


def reaped(pid: int) -> bool:
    """Whether ``pid`` is gone for good: no process, not even a zombie awaiting its parent."""
    status = Path(f"/proc/{pid}/status")
    try:
        return "\nState:\tZ" not in status.read_text()  # a live process would also answer here
    except FileNotFoundError:
        return True


def adopted(srv: EmbeddedFalkorDB) -> int | None:
    """The pid of the server ``srv`` has started and seen answer, if it has one now."""
    process = srv.process
    return process.pid if process is not None and process.poll() is None and srv.alive() else None


def need_body(i: int) -> dict[str, object]:
    """A valid need of the tiny demo's first community, open now and for 30 days."""
    now = datetime.now(UTC)
    return {
        "org_id": COMMUNITY,
        "title": f"楼道清理 {i}",
        "category": "environment.cleanup",
        "window_start": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "window_end": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def prepared_settings(tmp_path: Path) -> Settings:
    """Settings of a data directory of its own (no socket given: the program starts the embedded
    server itself) holding the tiny demo and an administrator account ``admin-sup``."""
    settings = Settings(data_dir=tmp_path / "data", graph="supervised", backend="falkordb", secret_key=SECRET)
    with open_store(settings) as store:
        apply_schema(store)
        load_dataset(store, generate("tiny", 2026))
        now = utc_now()
        store.run(
            node_stmt("bulk_create", "Account"),
            {"rows": [{"id": "admin-sup", "display_name": "管理员", "role": "admin", "password_hash": "-",
                       "active": True, "created_at": now, "updated_at": now}]},
        )  # fmt: skip
    return settings


class Writer(threading.Thread):
    """Posts needs one after another until stopped; keeps the ids the server acknowledged (201)."""

    def __init__(self, client: httpx.Client) -> None:
        super().__init__(daemon=True)
        self.client = client
        self.acknowledged: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.halt = threading.Event()

    def run(self) -> None:
        i = 0
        while not self.halt.is_set():
            i += 1
            try:
                answer = self.client.post("/needs", json=need_body(i))
            except httpx.HTTPError:
                self.statuses[0] += 1
                continue
            self.statuses[answer.status_code] += 1
            if answer.status_code == 201:
                self.acknowledged.append(answer.json()["id"])
            elif answer.status_code == 503:
                time.sleep(0.05)


def wait_for(condition: object, timeout: float, what: str) -> None:
    """Poll ``condition()`` until true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_the_api_answers_again_within_seconds_after_its_store_is_killed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="engine.store.embedded")
    settings = prepared_settings(tmp_path)
    socket = socket_path_for(settings.data_dir)
    from api.app import create_app

    with LiveServer(create_app(settings)) as server:
        headers = {"Authorization": f"Bearer {issue_token('admin-sup', SECRET, 60)}"}
        with (
            httpx.Client(base_url=server.url, headers=headers, timeout=30) as reader,
            httpx.Client(base_url=server.url, headers=headers, timeout=30) as writing,
        ):
            writer = Writer(writing)
            writer.start()
            try:
                wait_for(lambda: len(writer.acknowledged) >= 20, 60, "20 acknowledged writes")
                killed = server_pid(socket)
                os.kill(killed, signal.SIGKILL)
                down_at = time.monotonic()

                seen: Counter[int] = Counter()
                first = writer.acknowledged[0]
                while True:  # GET /needs/{id} reads the account and the need from the store
                    status = reader.get(f"/needs/{first}").status_code
                    seen[status] += 1
                    if status == 200:
                        break
                    assert time.monotonic() - down_at < BACK_WITHIN_S, f"no 200 yet: {dict(seen)}"
                    time.sleep(0.02)
                back_after = time.monotonic() - down_at
                assert set(seen) <= {200, 503}, f"while the store was down: {dict(seen)}"

                written_before = len(writer.acknowledged)
                wait_for(
                    lambda: len(writer.acknowledged) >= written_before + 10, 30, "writes after the restart"
                )
            finally:
                writer.halt.set()
                writer.join(timeout=60)

            assert set(writer.statuses) <= {201, 503}, f"writes answered {dict(writer.statuses)}"
            missing = [n for n in writer.acknowledged if reader.get(f"/needs/{n}").status_code != 200]
            assert not missing, f"{len(missing)} of {len(writer.acknowledged)} acknowledged needs lost"
            assert reader.get("/health").status_code == 200

        restarted = server_pid(socket)
        assert restarted != killed
        wait_for(lambda: reaped(killed), 5, f"the killed server (pid {killed}) to be reaped")
    assert back_after < BACK_WITHIN_S
    SUMMARY.append(
        f"store supervision: first 200 {back_after:.2f} s after SIGKILL of the store, "
        f"{len(writer.acknowledged)} acknowledged writes all there"
    )
    restarts = [r.getMessage() for r in caplog.records if "restart" in r.getMessage()]
    assert any(str(killed) in m and "SIGKILL" in m for m in restarts), restarts
    assert any(f"restarted (pid {restarted})" in m for m in restarts), restarts
    assert not EmbeddedFalkorDB(settings.data_dir).alive(), "the server started by the app must stop with it"


def test_a_supervised_server_is_restarted_each_time_with_growing_pauses(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="engine.store.embedded")
    srv = EmbeddedFalkorDB(tmp_path / "data").start()
    try:
        srv.supervise()
        client = redis.Redis(unix_socket_path=str(srv.socket_path))
        client.set("acknowledged", "before the crashes")
        pids = [server_pid(srv.socket_path)]
        for _ in range(3):
            os.kill(pids[-1], signal.SIGKILL)
            wait_for(lambda: adopted(srv) not in (None, pids[-1]), 30, "a restart")
            pids.append(server_pid(srv.socket_path))
            assert pids[-1] == adopted(srv)
            assert client.get("acknowledged") == b"before the crashes"  # the pool reconnects
        client.close()
        assert srv.process is not None and srv.process.pid == pids[-1]
        wait_for(lambda: all(reaped(p) for p in pids[:-1]), 5, "the killed servers to be reaped")
    finally:
        srv.stop()
    pauses = [r.getMessage() for r in caplog.records if "ended (killed by SIGKILL)" in r.getMessage()]
    assert len(pauses) == 3
    for attempt, message in enumerate(pauses):
        assert f"restart {attempt + 1} of this series in {restart_delay(attempt):.1f} s" in message
    time.sleep(restart_delay(3) + 0.5)
    assert not srv.alive() and srv.process is None, "a stopped server must stay stopped"
    assert restart_delay(0) == 0.0 and restart_delay(1000) == max(RESTART_DELAYS_S) <= 5.0


def test_a_reused_server_whose_starter_is_gone_is_started_again_by_one_of_its_users(tmp_path: Path) -> None:
    starter = EmbeddedFalkorDB(tmp_path / "data").start()  # another process's server, about to be killed
    users = [EmbeddedFalkorDB(tmp_path / "data").start() for _ in range(3)]
    client = redis.Redis(unix_socket_path=str(starter.socket_path))
    try:
        client.set("acknowledged", "before the crash")
        for user in users:
            assert not user.owned
            user.supervise()
        assert starter.process is not None
        killed = starter.process.pid
        os.kill(killed, signal.SIGKILL)
        starter.process.wait(timeout=30)
        wait_for(lambda: any(u.owned for u in users) and starter.alive(), 30, "a user to start it again")
        time.sleep(2 * REUSED_WATCH_INTERVAL_S + 0.5)  # every user has seen it up since: still one server
        owners = [u for u in users if u.process is not None]
        assert len(owners) == 1 and owners[0].process is not None
        assert owners[0].process.pid == server_pid(starter.socket_path) != killed
        assert client.get("acknowledged") == b"before the crash"  # nothing acknowledged was lost
    finally:
        client.close()
        for user in sorted(users, key=lambda u: u.owned):  # its owner last, or another user takes over
            user.stop()
        starter.stop()
    assert not starter.alive()


def test_stop_of_a_reused_server_does_not_stop_it(tmp_path: Path) -> None:
    owner = EmbeddedFalkorDB(tmp_path / "data").start()
    try:
        reuser = EmbeddedFalkorDB(tmp_path / "data").start()
        reuser.supervise()
        assert not reuser.owned
        reuser.stop()
        assert owner.alive()
    finally:
        owner.stop()
