"""The ``lianjian`` command as a real process in a test: a free loopback port, the environment that points
it at the test's store, a run to its end, a long-running one (``serve``, ``worker``) started and always
stopped, and a wait that fails with the process's own output when it died."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TypeVar

import httpx

from engine.settings import Settings

LIANJIAN = str(Path(sys.executable).with_name("lianjian"))

T = TypeVar("T")


def free_port() -> int:
    """A TCP port free on the loopback interface now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli_env(settings: Settings | None = None, **overrides: str | int | Path) -> dict[str, str]:
    """The environment of a ``lianjian`` process: this one's without its ``LIANJIAN_`` and ``NEO4J_``
    variables (a developer's shell must not point the command elsewhere), ``COLUMNS=200`` so tables
    print whole, ``settings``' FalkorDB store (socket, graph, data directory) when given, then
    ``overrides`` by variable name (``LIANJIAN_PORT=port``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIANJIAN_", "NEO4J_"))}
    env["COLUMNS"] = "200"
    if settings is not None:
        env |= {
            "LIANJIAN_BACKEND": "falkordb",
            "LIANJIAN_FALKORDB_SOCKET": str(settings.falkordb_socket),
            "LIANJIAN_GRAPH": settings.graph,
            "LIANJIAN_DATA_DIR": str(settings.data_dir),
        }
    return env | {name: str(value) for name, value in overrides.items()}


def run(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``lianjian args`` to its end; returns the finished process with its output as text."""
    return subprocess.run([LIANJIAN, *args], env=env, capture_output=True, text=True, timeout=timeout)


class Process:
    """A running ``lianjian`` whose stdout and stderr go to files (read at any time, never a full pipe);
    ``stdout`` and ``stderr`` hold all it wrote once it has been stopped."""

    def __init__(self, args: tuple[str, ...], env: dict[str, str], out: IO[bytes], err: IO[bytes]) -> None:
        self.args, self._out, self._err = args, out, err
        self.popen = subprocess.Popen([LIANJIAN, *args], env=env, stdout=out, stderr=err)
        self.stdout = ""
        self.stderr = ""

    def died(self) -> str | None:
        """None while it runs; once it has exited, its exit code and all it wrote, to fail a test with."""
        code = self.popen.poll()
        if code is None:
            return None
        out, err = _read(self._out, "replace"), _read(self._err, "replace")
        return f"lianjian {' '.join(self.args)} exited with {code}\nstderr:\n{err}\nstdout:\n{out}"

    def stop(self, timeout: float) -> None:
        """Terminate it, wait for its end and keep what it wrote."""
        self.popen.terminate()
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()  # not left behind; the test fails all the same
            self.popen.wait()
            raise
        self.stdout, self.stderr = _read(self._out), _read(self._err)


def _read(file: IO[bytes], errors: str = "strict") -> str:
    file.seek(0)
    return file.read().decode(errors=errors)


@contextmanager
def running(env: dict[str, str], *args: str, stop_timeout: float = 30) -> Iterator[Process]:
    """``lianjian args`` started in ``env``, terminated (and waited for) when the block ends."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = Process(args, env, out, err)
        try:
            yield process
        finally:
            process.stop(stop_timeout)


def wait_until(
    check: Callable[[], T | None], process: Process, what: str, timeout: float = 60, every: float = 0.2
) -> T:
    """Call ``check`` until it gives something other than None or False (an HTTP error reaching the
    process counts as not yet) and return that; fail with ``process``' output if it died first, or
    with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = check()
            if got is not None and got is not False:
                return got
        except httpx.TransportError:
            pass
        died = process.died()
        assert died is None, f"{what}: {died}"
        assert time.monotonic() < deadline, f"{what} (after {timeout} s)"
        time.sleep(every)
