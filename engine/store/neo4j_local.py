"""A local Neo4j 5 Community server for the tests, the benchmarks and trying the production backend.

Neo4j comes from Maven Central: Maven resolves ``tools/neo4j/pom.xml`` (neo4j-harness) into its own
cache and writes the class path; ``tools/neo4j/Launcher.java`` starts the DBMS in one JVM with a
Bolt connector on loopback and prints its address. No Docker, no download outside Maven's cache.
The server stops with the process that started it (the launcher exits when its stdin closes).

``python -m engine.store.neo4j_local`` (``make neo4j``) runs one in the foreground.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "neo4j"
POM = TOOLS / "pom.xml"
LAUNCHER = TOOLS / "Launcher.java"
CLASSPATH_FILE = TOOLS / "target" / "classpath.txt"
HEAP = os.environ.get("LIANJIAN_NEO4J_HEAP", "1g")  # the suite runs beside FalkorDB and Chromium
START_TIMEOUT_S = 180.0


class Neo4jUnavailable(RuntimeError):
    """Java, Maven or the Neo4j artifacts cannot be had on this machine."""


def _java() -> str:
    """A Java 17+ runtime: JAVA_HOME's, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise Neo4jUnavailable("no java on PATH (Neo4j 5 needs Java 17 or newer)")
    return found


def classpath() -> str:
    """The launcher's class path, resolved by Maven once (again whenever the pom changes)."""
    if CLASSPATH_FILE.exists() and CLASSPATH_FILE.stat().st_mtime >= POM.stat().st_mtime:
        return CLASSPATH_FILE.read_text().strip()
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jUnavailable("no mvn on PATH (Maven resolves Neo4j from Maven Central)")
    CLASSPATH_FILE.parent.mkdir(parents=True, exist_ok=True)
    tmp = CLASSPATH_FILE.with_suffix(".tmp")
    done = subprocess.run(
        [mvn, "-B", "-q", "-f", str(POM), "dependency:build-classpath", f"-Dmdep.outputFile={tmp}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not tmp.exists():
        raise Neo4jUnavailable(f"Maven could not resolve Neo4j:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    tmp.replace(CLASSPATH_FILE)
    return CLASSPATH_FILE.read_text().strip()


class LocalNeo4j:
    """One Neo4j server in a JVM child process, on a free loopback Bolt port, with auth disabled."""

    def __init__(self, work_dir: Path | None = None, port: int = 0, heap: str = HEAP) -> None:
        self._own_dir = work_dir is None
        self.work_dir = Path(work_dir or tempfile.mkdtemp(prefix="lianjian-neo4j-"))
        self.port = port
        self.heap = heap
        self.uri: str | None = None
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> LocalNeo4j:
        """Start the server and wait until it prints its Bolt address."""
        cp = classpath()
        self.work_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.work_dir / "launcher.log"
        command = [_java(), f"-Xmx{self.heap}", "-XX:+UseSerialGC", "-cp", cp, str(LAUNCHER)]
        command += [str(self.work_dir / "db"), str(self.port)]
        started = time.monotonic()
        with log_path.open("w") as err:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True
            )
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline()
            if line.startswith("BOLT "):
                self.uri = line.split()[1].rstrip("/")
                break
            if not line and self.process.poll() is not None:
                raise Neo4jUnavailable(
                    f"Neo4j did not start; see {log_path}:\n{log_path.read_text()[-3000:]}"
                )
            if time.monotonic() - started > START_TIMEOUT_S:
                self.stop()
                raise Neo4jUnavailable(f"Neo4j did not start within {START_TIMEOUT_S:.0f} s; see {log_path}")
        log.info(
            "Neo4j started at %s in %.1f s (work dir %s)", self.uri, time.monotonic() - started, self.work_dir
        )
        return self

    def stop(self) -> None:
        """Stop the server (closing its stdin ends the launcher) and remove a temporary work dir."""
        if self.process is not None:
            if self.process.stdin:
                self.process.stdin.close()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if self._own_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> LocalNeo4j:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def main() -> None:
    """Run a local Neo4j in the foreground and say how to point lianjian at it (``make neo4j``)."""
    import argparse

    parser = argparse.ArgumentParser(description="A local Neo4j 5 for trying lianjian's production backend")
    parser.add_argument("--port", type=int, default=7687, help="Bolt port on 127.0.0.1 (0: a free one)")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where the database lives (default: temporary)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print("Resolving Neo4j 5 from Maven Central (first time only) and starting it…", flush=True)
    with LocalNeo4j(args.dir, args.port) as server:
        print(f"Neo4j is up at {server.uri} (no password). In another shell:")
        print(f"  export LIANJIAN_BACKEND=neo4j NEO4J_URI={server.uri}")
        print("  .venv/bin/lianjian schema apply && .venv/bin/lianjian demo --size district --serve")
        print("Ctrl-C stops it.", flush=True)
        try:
            assert server.process is not None
            server.process.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
