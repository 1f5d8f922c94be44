"""Killing the delivery worker mid-run (kill -9) loses no notification: a real ``lianjian worker``
subprocess mails through a real local SMTP server, is killed right after some mails arrived, is
started again, and every notification arrives; none arrives twice but the one in flight at the
kill (accepted by the server, not yet recorded), which comes again under its Message-ID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from test_notifications import Mailbox, free_port

from engine.notify.channels import message_id
from engine.notify.delivery import idempotency_key
from engine.settings import Settings
from engine.store.connect import open_store
from engine.store.queries.nodes import node_stmt
from engine.store.schema_apply import apply_schema

NOTES = 40


def start_worker(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``lianjian worker`` on the test's graph, mailing to 127.0.0.1:``port``."""
    env = {
        **os.environ,
        "LIANJIAN_BACKEND": "falkordb",
        "LIANJIAN_FALKORDB_SOCKET": str(settings.falkordb_socket),
        "LIANJIAN_GRAPH": settings.graph,
        "LIANJIAN_DATA_DIR": str(settings.data_dir),
        "LIANJIAN_SMTP_HOST": "127.0.0.1",
        "LIANJIAN_SMTP_PORT": str(port),
        "LIANJIAN_NOTIFY_LEASE_SECONDS": "2",
        "LIANJIAN_NOTIFY_INTERVAL_SECONDS": "0.2",
    }
    command = [str(Path(sys.executable).with_name("lianjian")), "worker"]
    return subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def wait_for(check: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.005)


def test_kill_9_mid_delivery_loses_none_and_sends_none_twice(settings_for: Settings, tmp_path: Path) -> None:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    log = tmp_path / "worker.log"
    try:
        with open_store(settings_for) as store:
            apply_schema(store)
            account = {"id": "shuji", "display_name": "书记", "role": "secretary", "scope_org_id": "c1",
                       "password_hash": "-", "active": True, "email": "shuji@example.cn"}  # fmt: skip
            store.run(node_stmt("create", "Account"), {"props": account})
            ids = [f"note-{i:03d}" for i in range(NOTES)]
            rows = [{"id": i, "account_id": "shuji", "kind": "claim", "title": f"通知 {i}", "attempts": 0,
                     "created_at": "2026-05-01T00:00:00Z", "next_attempt_at": "2026-05-01T00:00:00Z",
                     "delivery": "pending"} for i in ids]  # fmt: skip
            store.bulk(node_stmt("bulk_upsert", "Notification"), rows)

            first = start_worker(settings_for, port, log)
            wait_for(lambda: len(box.messages) >= NOTES // 4, 60)
            first.send_signal(signal.SIGKILL)
            first.wait()
            killed_at = len(box.messages)
            assert killed_at < NOTES, "the worker finished before it was killed"

            second = start_worker(settings_for, port, log)
            try:

                def all_sent() -> bool:
                    counts = {r["delivery"]: r["n"] for r in store.run("notify.delivery.counts", {})}
                    return counts == {"sent": NOTES}

                wait_for(all_sent, 60)
                time.sleep(0.5)  # a late duplicate would show now
            finally:
                second.send_signal(signal.SIGKILL)
                second.wait()
    finally:
        controller.stop()
    received = Counter(box.ids())
    expected = {message_id(idempotency_key(i, "email")) for i in ids}
    assert set(received) == expected, log.read_text()  # none lost
    # None twice, but for the one message the SMTP server had accepted when the worker died before
    # recording it (the kill lands right after an arrival: that gap, docs/notifications.md): it comes
    # again under the same Message-ID, so the receiver recognises it, and it was among the mails that
    # had arrived before the kill. Everything marked sent was never sent again.
    twice = [m for m, n in received.items() if n > 1]
    assert len(twice) <= 1 and all(received[m] == 2 for m in twice), received
    assert set(twice) <= set(box.ids()[:killed_at]), f"killed after {killed_at} mails"
