"""The ``lianjian`` command: demo, serve, import, export, schema apply.

User errors (a bad file, an unreachable store) print a plain message and exit 1; they never
show a traceback.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from engine.actors import Actor, Role
from engine.observability.logs import LogFormat, configure_logging
from engine.settings import Settings, get_settings
from engine.store.base import GraphStore
from engine.store.connect import open_store
from engine.store.errors import StoreError, StoreUnavailable
from engine.store.schema_apply import apply_schema

app = typer.Typer(
    name="lianjian",
    help="联建 lianjian — 城市基层党建关系图谱与资源匹配引擎 (graph of Party building, needs and offerings).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
account_app = typer.Typer(help="账号 (accounts): create sign-in accounts.", no_args_is_help=True)
schema_app = typer.Typer(help="图模式 (graph schema): indexes, constraints, version.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
app.add_typer(account_app, name="account")
audit_app = typer.Typer(help="操作日志 (audit): seal and verify its hash chain.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
console = Console()
err_console = Console(stderr=True)


def _cli_actor() -> Actor:
    """The administrator of this machine, as recorded in the audit for CLI writes."""
    return Actor("cli", Role.ADMIN, display_name="命令行管理员")


class UserError(Exception):
    """A failure the user can act on; printed without a traceback."""


def fail(message: str) -> typer.Exit:
    """Print ``message`` in red on stderr and return the exit to raise."""
    err_console.print(f"[bold red]错误 error:[/] {message}")
    return typer.Exit(code=1)


@contextmanager
def store_session(settings: Settings) -> Iterator[GraphStore]:
    """The configured store with the schema applied; an unreachable store is a user error
    (errors inside the command keep their own message). SIGTERM ends the command as Ctrl-C does."""
    with _sigterm_unwinds():
        try:
            with open_store(settings) as store:
                apply_schema(store)
                yield store
        except StoreUnavailable as exc:
            raise UserError(f"图数据库不可用 (graph store unavailable): {exc}") from exc


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """SIGTERM raises SystemExit (status 143) instead of ending the process on the spot, so the
    command's blocks unwind and the embedded store it started is stopped: ``serve`` stopped by a
    service manager left its FalkorDB running (uvicorn shuts down, then re-raises the signal)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def counts_table(title: str, nodes: dict[str, int], rels: dict[str, int]) -> Table:
    """A summary table of node and relationship counts."""
    from graph_schema.domain import SCHEMA

    table = Table(title=title)
    table.add_column("kind 类型")
    table.add_column("name 名称")
    table.add_column("count 数量", justify="right")
    for label, count in sorted(nodes.items()):
        zh = SCHEMA.label(label).title_zh if SCHEMA.has_label(label) else ""
        table.add_row("node", f"{label} {zh}", f"{count:,}")
    for rel, count in sorted(rels.items()):
        zh = SCHEMA.rel(rel).title_zh if SCHEMA.has_rel(rel) else ""
        table.add_row("relationship", f"{rel} {zh}", f"{count:,}")
    table.add_row("total", "", f"{sum(nodes.values()):,} nodes · {sum(rels.values()):,} relationships")
    return table


def serve_app(
    settings: Settings, store: GraphStore | None = None, log_format: LogFormat | None = None
) -> None:
    """Run the API with uvicorn on the configured host and port until interrupted; every log line in
    ``log_format`` (the settings' by default), one access line per request (ours: uvicorn's is off)."""
    import uvicorn

    from api.app import create_app

    fmt = log_format or settings.log_format
    configure_logging(fmt, settings.log_level)
    where = f"http://{settings.host}:{settings.port}"
    if fmt == "json":  # stdout and stderr stay machine-readable
        logging.getLogger("lianjian.serve").info("serving on %s (API docs: %s/docs)", where, where)
    else:
        console.print(
            f"[bold green]服务已启动[/] serving on {where}  (API docs: {where}/docs, Ctrl-C to stop)"
        )
    level = settings.log_level.lower()
    uvicorn.run(
        create_app(settings, store),
        host=settings.host,
        port=settings.port,
        log_level=level,
        log_config=None,  # uvicorn's lines go through configure_logging's handler
        access_log=False,
    )


@app.command()
def demo(
    size: Annotated[str, typer.Option(help="tiny | district | city")] = "district",
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives the same district")] = 2026,
    serve: Annotated[bool, typer.Option(help="serve the API on the demo data after loading")] = False,
) -> None:
    """Load a demo district (replacing the graph's data) and print a summary; 载入演示数据."""
    from engine.demo import SIZES, generate, graph_counts, load_dataset

    if size not in SIZES:
        raise fail(f"未知的规模 unknown size “{size}”; choose one of: {', '.join(SIZES)}")
    settings = get_settings()
    with store_session(settings) as store:
        console.print(f"生成演示数据 generating the “{size}” demo (seed {seed}) …")
        started = time.perf_counter()
        dataset = generate(size, seed)
        generated = time.perf_counter() - started
        store.drop_all()
        apply_schema(store)
        counts = dataset.counts()
        with _progress() as progress:
            tasks: dict[str, TaskID] = {}

            def on_rows(step: str, done: int) -> None:
                if step not in tasks:
                    tasks[step] = progress.add_task(step, total=counts.get(step, None))
                progress.advance(tasks[step], done)

            report = load_dataset(store, dataset, batch_size=settings.batch_size, progress=on_rows)
        from engine.demo.accounts import DEMO_PASSWORD
        from engine.demo.loader import create_demo_accounts

        accounts = create_demo_accounts(store, dataset, _cli_actor())
        _seal(store, batch=max(settings.audit_seal_batch, 5000))  # the demo's audit entries, chained
        stored = graph_counts(store)
        console.print(counts_table(f"演示数据 demo “{size}”", stored.nodes, stored.relationships))
        where = (
            f"Neo4j at {settings.neo4j_uri} (database “{settings.neo4j_database}”)"
            if store.backend == "neo4j"
            else f"the embedded FalkorDB (graph “{settings.graph}”, data in {settings.data_dir})"
        )
        console.print(f"generated in {generated:.1f} s, loaded in {report.seconds:.1f} s into {where}")
        table = Table(title=f"演示账号 demo accounts (password 密码: {DEMO_PASSWORD})")
        for column in ("登录名 user", "角色 role", "名称 name", "范围 scope"):
            table.add_column(column)
        for account in accounts:
            scope = account.get("scope_org_id") or account.get("subject_id") or "全部 all"
            table.add_row(str(account["id"]), str(account["role"]), str(account["display_name"]), str(scope))
        console.print(table)
        if serve:  # a person at a console: text lines, unless LIANJIAN_LOG_FORMAT says otherwise
            serve_app(
                settings, store, settings.log_format if "log_format" in settings.model_fields_set else "text"
            )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    worker: Annotated[
        bool, typer.Option("--worker", help="also run the worker's jobs (notifications, expiry, reminders)")
    ] = False,
) -> None:
    """Serve the API (and /docs) on the configured store; 启动服务."""
    settings = get_settings()
    if host or port:
        settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v})
    configure_logging(settings.log_format, settings.log_level)  # the store's start-up lines too
    with store_session(settings) as store:
        if not worker:
            serve_app(settings, store)
            return
        from engine.notify.worker import in_background

        with in_background(store, settings):
            serve_app(settings, store)


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="run every job once and exit (cron-style)")] = False,
) -> None:
    """Deliver notifications and run the scheduled jobs (expiry, reminders) until stopped; 后台任务."""
    from engine.notify.worker import run_forever, run_once

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    with store_session(settings) as store:
        if settings.worker_metrics_port and not once:
            from engine.observability.outbox import serve_worker_metrics

            serve_worker_metrics(store, settings.host, settings.worker_metrics_port)
        if once:
            for name, result in run_once(store, settings).items():
                console.print(f"{name}: {result}")
            return
        if settings.log_format == "text":  # in json, run_forever's own log line says it
            console.print("[bold green]后台任务已启动[/] worker started (Ctrl-C to stop)")
        run_forever(store, settings)


@app.command("import")
def import_(
    files: Annotated[
        list[Path], typer.Argument(help="CSV or Excel (.xlsx) files: orgs, areas, units, members …")
    ],
    kind: Annotated[
        str | None,
        typer.Option(help="entity kind of a single file whose name does not say it (e.g. members)"),
    ] = None,
) -> None:
    """Import CSV/Excel files; a file with any problem writes nothing; 导入数据."""
    from engine.importing import ImportRejected, import_files
    from engine.services.audit import record_import

    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise fail(f"找不到文件 file not found: {', '.join(missing)}")
    if kind and len(files) != 1:
        raise fail("--kind 只能用于单个文件 (--kind applies to a single file)")
    settings = get_settings()
    with store_session(settings) as store:
        inputs: list[Path | tuple[Path, str]] = [(files[0], kind)] if kind else list(files)
        try:
            with _progress() as progress:
                tasks: dict[str, TaskID] = {}

                def on_rows(step: str, done: int) -> None:
                    if step not in tasks:
                        tasks[step] = progress.add_task(step, total=None)
                    progress.advance(tasks[step], done)

                report = import_files(store, inputs, batch_size=settings.batch_size, progress=on_rows)
        except ImportRejected as rejected:
            record_import(store, _cli_actor(), rejected.report, kind=kind, by=_os_user())
            _seal(store)
            err_console.print(rejected.report.render_zh())
            raise fail("导入被拒绝,未写入任何数据 (import rejected; nothing was written)") from None
        record_import(store, _cli_actor(), report, kind=kind, by=_os_user())
        _seal(store)
        console.print(report.render_zh())


@app.command()
def export(
    out: Annotated[Path, typer.Argument(help="output directory (csv) or file (json, graphml)")],
    format: Annotated[str, typer.Option("--format", "-f", help="csv | json | graphml")] = "csv",
    scope: Annotated[
        str | None, typer.Option(help="export only this organisation and what lies under it")
    ] = None,
    mask_pii: Annotated[bool, typer.Option(help="mask names and phone numbers")] = False,
) -> None:
    """Export the graph, or one organisation's scope of it; 导出数据."""
    from engine.exporting import ExportError, export_graph
    from engine.services.audit import record_export

    if format not in ("csv", "json", "graphml"):
        raise fail(f"未知的格式 unknown format “{format}”; choose csv, json or graphml")
    fmt: Literal["csv", "json", "graphml"] = format  # type: ignore[assignment]
    settings = get_settings()
    with store_session(settings) as store:
        try:
            report = export_graph(store, out, fmt, scope_org_id=scope, mask_pii=mask_pii)
        except ExportError as exc:
            raise fail(str(exc)) from None
        record_export(store, _cli_actor(), report, by=_os_user())
        _seal(store)
    console.print(report.render_zh())


def _os_user() -> str | None:
    """The operating-system user running the command (recorded in import and export entries)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _seal(store: GraphStore, batch: int | None = None) -> None:
    """Seal the audit entries a command wrote into the hash chain (imports, exports, demo loads)."""
    from engine.services.audit_chain import seal

    seal(store, batch=batch or get_settings().audit_seal_batch)


@audit_app.command("seal")
def audit_seal() -> None:
    """Seal the audit entries not yet in the hash chain (the API and the worker do it by themselves)."""
    from engine.services.audit_chain import seal

    settings = get_settings()
    with store_session(settings) as store:
        sealed = seal(store, batch=settings.audit_seal_batch)
    console.print(f"sealed {sealed} entries 已封存 {sealed} 条操作日志")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit's hash chain from its first entry to its head; exit 1 at the first broken link."""
    from engine.services.audit_chain import verify

    with store_session(get_settings()) as store:
        report = verify(store)
    if report.broken is not None:
        b = report.broken
        raise fail(
            f"操作日志哈希链在序号 {b.seq} 处断开 chain broken at seq {b.seq} "
            f"(entry {b.entry_id or '-'}, {b.problem}): {b.detail}"
        )
    pending = f", {report.unsealed} not yet sealed" if report.unsealed else ""
    console.print(f"ok: {report.entries} entries, chain intact{pending}")


@schema_app.command("apply")
def schema_apply() -> None:
    """Create missing indexes and constraints and run pending migrations (safe to re-run)."""
    settings = get_settings()
    try:
        with open_store(settings) as store:
            report = apply_schema(store)
    except StoreError as exc:
        raise UserError(f"图数据库不可用 (graph store unavailable): {exc}") from exc
    console.print(
        f"schema version {report.version} on {settings.resolved_backend}: "
        f"{len(report.created)} created, {len(report.existing)} already present, "
        f"migrations run: {report.migrations or 'none'}"
    )


@app.command("backup")
def backup_cmd(
    out: Annotated[Path, typer.Argument(help="backup file to write (a tar: manifest.json and dump.rdb)")],
) -> None:
    """Back up the embedded store to one file, consistent while the API serves writes; 备份."""
    from engine.store import backup as bk
    from engine.store.embedded import EmbeddedFalkorDB

    settings = get_settings()
    if settings.resolved_backend == "neo4j":
        lines = "\n  ".join(bk.NEO4J_COMMANDS)
        raise fail(
            "Neo4j 请用 neo4j-admin 备份与恢复 (back up Neo4j with neo4j-admin; see README "
            f"“Backup and restore”):\n  {lines}"
        )
    try:
        if settings.falkordb_socket is not None:
            manifest = bk.backup(settings.falkordb_socket, settings.graph, out)
        else:
            with EmbeddedFalkorDB(settings.data_dir) as server:  # reuses a running server, else starts one
                manifest = bk.backup(server.socket_path, settings.graph, out)
    except StoreUnavailable as exc:
        raise UserError(f"图数据库不可用 (graph store unavailable): {exc}") from exc
    except bk.BackupError as exc:
        raise fail(str(exc)) from None
    console.print(counts_table(f"备份 backup {out}", manifest["nodes"], manifest["relationships"]))
    head = manifest["audit_head"]
    console.print(
        f"已备份 backed up “{settings.graph}” (schema version {manifest['schema_version']}, "
        f"{manifest['rdb_bytes']:,} bytes, audit head {head['seq'] if head else '—'}) "
        f"in {manifest['seconds']} s"
    )


@app.command("restore")
def restore_cmd(
    archive: Annotated[Path, typer.Argument(help="backup file written by lianjian backup")],
    data_dir: Annotated[
        Path | None, typer.Option(help="data directory to restore into (default: LIANJIAN_DATA_DIR)")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="restore over a non-empty directory (it is moved aside)")
    ] = False,
) -> None:
    """Restore a backup into a fresh (or, with --force, a stopped non-empty) data directory; 恢复."""
    from engine.services.audit_chain import verify
    from engine.store import backup as bk

    settings = get_settings()
    if settings.resolved_backend == "neo4j":
        raise fail(f"Neo4j 请用 neo4j-admin 恢复 (restore Neo4j with: {bk.NEO4J_COMMANDS[1]})")
    target = data_dir or settings.data_dir
    try:
        manifest, moved = bk.restore(archive, target, force=force)
    except bk.BackupError as exc:
        raise fail(str(exc)) from None
    if moved is not None:
        console.print(f"原数据目录已移至 the previous data directory was moved to {moved}")
    update = {"data_dir": target, "falkordb_socket": None, "graph": manifest["graph"], "backend": "falkordb"}
    restored = settings.model_copy(update=update)
    try:
        with open_store(restored) as store:  # the real start: it loads the append-only log
            bk.check_counts(store, manifest)
            chain = verify(store)
    except bk.BackupError as exc:
        raise fail(str(exc)) from None
    except StoreUnavailable as exc:
        raise UserError(f"图数据库不可用 (graph store unavailable): {exc}") from exc
    if not chain.ok:
        assert chain.broken is not None
        raise fail(f"审计链校验失败 audit chain broken: {chain.broken.detail}")
    console.print(counts_table(f"恢复 restored into {target}", manifest["nodes"], manifest["relationships"]))
    console.print(
        f"已恢复 restored the backup of {manifest['created_at']} "
        f"(schema version {manifest['schema_version']}); "
        f"counts match its manifest; audit chain verified ({chain.entries} sealed entries, "
        f"{chain.unsealed} not yet sealed)"
    )


@account_app.command("create")
def account_create(
    username: Annotated[str, typer.Argument(help="登录名 (letters, digits, _ . @ -)")],
    role: Annotated[str, typer.Option(help="admin | planner | secretary | unit | member")],
    name: Annotated[str, typer.Option(help="显示名称 display name")],
    scope: Annotated[
        str | None, typer.Option(help="管辖党组织 id (planner: district/street; secretary: community)")
    ] = None,
    subject: Annotated[str | None, typer.Option(help="对应单位或党员 id (unit, member)")] = None,
    password_stdin: Annotated[bool, typer.Option(help="read the password from standard input")] = False,
) -> None:
    """Create a sign-in account (as the administrator of this machine); 创建账号."""
    from pydantic import ValidationError

    from api.errors import describe_validation_errors
    from engine.errors import DomainError
    from engine.services.accounts import AccountDraft, create_account

    if role not in {r.value for r in Role}:
        raise fail(f"未知的角色 unknown role “{role}”; choose one of: {', '.join(r.value for r in Role)}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("密码 password", hide_input=True, confirmation_prompt=True)
    try:
        draft = AccountDraft(
            id=username,
            display_name=name,
            role=Role(role),
            scope_org_id=scope,
            subject_id=subject,
            password=password,
        )
    except ValidationError as exc:
        raise fail(describe_validation_errors(exc.errors())[0]) from None
    with store_session(get_settings()) as store:
        try:
            account = create_account(store, _cli_actor(), draft)
        except DomainError as exc:
            raise fail(exc.message_zh) from None
    console.print(f"已创建账号 created account “{account['id']}” ({account['role']})")


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the command, turning user errors into one red line."""
    from pydantic import ValidationError

    try:
        level = get_settings().log_level
    except ValidationError:
        level = "INFO"  # the command itself reports the bad setting
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: dict[type[BaseException], Callable[[BaseException], str]] = {
        UserError: str,
        StoreError: lambda e: f"图数据库错误 (graph store error): {e}",
    }
    try:
        app(args=argv, standalone_mode=True)
    except tuple(handlers) as exc:
        for kind, render in handlers.items():
            if isinstance(exc, kind):
                err_console.print(f"[bold red]错误 error:[/] {render(exc)}")
                break
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
