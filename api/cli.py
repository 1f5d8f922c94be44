"""The ``lianjian`` command: demo, serve, import, export, schema apply.

User errors (a bad file, an unreachable store) print a plain message and exit 1; they never
show a traceback.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from engine.settings import Settings, get_settings
from engine.store.base import GraphStore
from engine.store.connect import open_store
from engine.store.errors import StoreError
from engine.store.schema_apply import apply_schema

app = typer.Typer(
    name="lianjian",
    help="联建 lianjian — 城市基层党建关系图谱与资源匹配引擎 (graph of Party building, needs and offerings).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
schema_app = typer.Typer(help="图模式 (graph schema): indexes, constraints, version.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
console = Console()
err_console = Console(stderr=True)


class UserError(Exception):
    """A failure the user can act on; printed without a traceback."""


def fail(message: str) -> typer.Exit:
    """Print ``message`` in red on stderr and return the exit to raise."""
    err_console.print(f"[bold red]错误 error:[/] {message}")
    return typer.Exit(code=1)


@contextmanager
def store_session(settings: Settings) -> Iterator[GraphStore]:
    """The configured store with the schema applied; store failures become user errors."""
    try:
        with open_store(settings) as store:
            apply_schema(store)
            yield store
    except StoreError as exc:
        raise UserError(f"图数据库不可用 (graph store unavailable): {exc}") from exc


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


def serve_app(settings: Settings, store: GraphStore | None = None) -> None:
    """Run the API with uvicorn on the configured host and port until interrupted."""
    import uvicorn

    from api.app import create_app

    console.print(
        f"[bold green]服务已启动[/] serving on http://{settings.host}:{settings.port}  "
        f"(API docs: http://{settings.host}:{settings.port}/docs, Ctrl-C to stop)"
    )
    uvicorn.run(create_app(settings, store), host=settings.host, port=settings.port, log_level="warning")


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
        stored = graph_counts(store)
        console.print(counts_table(f"演示数据 demo “{size}”", stored.nodes, stored.relationships))
        console.print(
            f"generated in {generated:.1f} s, loaded in {report.seconds:.1f} s "
            f"into {store.backend} (graph “{settings.graph}”, data in {settings.data_dir})"
        )
        if serve:
            serve_app(settings, store)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
) -> None:
    """Serve the API (and /docs) on the configured store; 启动服务."""
    settings = get_settings()
    if host or port:
        settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v})
    with store_session(settings) as store:
        serve_app(settings, store)


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
            err_console.print(rejected.report.render_zh())
            raise fail("导入被拒绝,未写入任何数据 (import rejected; nothing was written)") from None
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

    if format not in ("csv", "json", "graphml"):
        raise fail(f"未知的格式 unknown format “{format}”; choose csv, json or graphml")
    fmt: Literal["csv", "json", "graphml"] = format  # type: ignore[assignment]
    settings = get_settings()
    with store_session(settings) as store:
        try:
            report = export_graph(store, out, fmt, scope_org_id=scope, mask_pii=mask_pii)
        except ExportError as exc:
            raise fail(str(exc)) from None
    console.print(report.render_zh())


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


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the command, turning user errors into one red line."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
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
