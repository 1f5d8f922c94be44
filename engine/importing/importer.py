"""Import CSV and Excel files into the graph: check everything first, then write in batches.

Guarantees, stated honestly:

- Every file is read and checked whole (schema types and ranges, the service taxonomy, ids
  unique within the import, every reference resolving to a node of the right kind in the
  import or the graph) before anything is written. Any problem: ``ImportRejected`` and no
  write at all.
- A clean import upserts nodes (``node.bulk_upsert.<Label>``: a blank cell leaves an existing
  value alone) and then merges relationships (``rel.bulk_merge...``), in dependency order,
  in batches of ``batch_size`` rows. Each batch is one statement and so atomic; the import as
  a whole is not, since neither backend offers a portable multi-statement transaction.
- If a batch fails (a database error, or an interrupt), the importer compensates: it deletes
  the nodes this import newly created (ids that did not exist when it was checked), with their
  relationships, and raises ``ImportFailed``. What it cannot undo: property updates to nodes
  that existed before, and relationships merged between two such nodes; the error says so.
  A node another writer created with the same id between check and write would be deleted too.
- Relationships are only added, never removed: re-importing a member with another
  ``belongs_to`` adds a second BELONGS_TO rather than moving the member.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from engine.importing.checking import Plan, Progress, check
from engine.importing.kinds import KINDS
from engine.importing.posts import check_posts, is_posts_file, read_posts, write_posts
from engine.importing.reading import read_inputs
from engine.importing.report import ImportFailed, ImportRejected, ImportReport
from engine.store.base import GraphStore
from engine.store.queries.nodes import node_stmt, rel_stmt
from graph_schema.domain import SCHEMA


def import_files(
    store: GraphStore,
    files: Sequence[Path | tuple[Path, str]],
    *,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> ImportReport:
    """Check ``files`` (paths, or paths with their kind) whole, then write them; see the module doc.

    Raises ``ImportRejected`` (nothing written) when any file has a problem and ``ImportFailed``
    when the database fails midway (new nodes removed again).
    """
    report = ImportReport(files=[(f[0] if isinstance(f, tuple) else f).name for f in files])
    posts_files = [f for f in files if is_posts_file(f)]  # posts (HOLDS with properties, issue 12)
    sheets, report.problems = read_inputs([f for f in files if not is_posts_file(f)])
    post_cells, problems = read_posts(posts_files)
    report.problems += problems
    plan, problems, report.rows = check(store, sheets, batch_size=batch_size, progress=progress)
    report.problems += problems
    posts, problems = check_posts(store, post_cells, plan, batch_size=batch_size)
    report.problems += problems
    if posts_files:
        report.rows["posts"] = len(post_cells)
    if report.problems:
        raise ImportRejected(report)
    try:
        _write(store, plan, report, batch_size, progress)
        if posts:
            report.relationships["HOLDS"] = write_posts(store, posts, batch_size=batch_size)
    except BaseException as exc:
        failure = _compensate(store, plan, batch_size)
        if not isinstance(exc, Exception):
            raise  # an interrupt stays an interrupt, after the cleanup
        raise ImportFailed(f"写入时数据库出错:{exc}。{failure}") from exc
    store.compact()  # so a restart loads a snapshot instead of replaying every batch
    return report


def _on_batch(progress: Progress | None, step: str) -> Callable[[int], None] | None:
    """The per-batch callback of ``store.bulk`` that reports ``step`` to ``progress``."""
    if progress is None:
        return None
    report = progress

    def call(rows: int) -> None:
        report(step, rows)

    return call


def _write(
    store: GraphStore, plan: Plan, report: ImportReport, batch_size: int, progress: Progress | None
) -> None:
    """Upsert the nodes, then merge the relationships, kind by kind in dependency order."""
    for kind in KINDS:
        rows = plan.nodes.get(kind.label)
        if rows:
            name = node_stmt("bulk_upsert", kind.label)
            on_batch = _on_batch(progress, f"写入{kind.title_zh}")
            report.upserted[kind.name] = store.bulk(name, rows, batch_size=batch_size, on_batch=on_batch)
            report.created[kind.name] = len(plan.new_ids.get(kind.label, []))
    for (rel_type, start, end), rows in plan.rels.items():
        name = rel_stmt("bulk_merge", rel_type, start, end)
        on_batch = _on_batch(progress, f"关联{SCHEMA.rel(rel_type).title_zh}")
        sent = store.bulk(name, rows, batch_size=batch_size, on_batch=on_batch)
        report.relationships[rel_type] = report.relationships.get(rel_type, 0) + sent


def _compensate(store: GraphStore, plan: Plan, batch_size: int) -> str:
    """Delete the nodes the import created; a Chinese sentence on what was and was not undone."""
    removed: list[str] = []
    for kind in reversed(KINDS):
        ids = plan.new_ids.get(kind.label, [])
        try:
            for i in range(0, len(ids), batch_size):
                store.run(node_stmt("bulk_delete", kind.label), {"ids": ids[i : i + batch_size]})
        except Exception as exc:  # the database may be gone: say what is left behind
            return (
                f"撤销也失败了({exc}):本次新建的{kind.title_zh}等节点可能仍在图中,"
                "请按编号检查;已有节点的属性更新未撤销"
            )
        if ids:
            removed.append(f"{kind.title_zh} {len(ids)} 个")
    done = "已删除本次新建的节点(" + "、".join(removed) + ")" if removed else "本次没有新建节点"
    return f"{done};已有节点的属性更新和已有节点之间新增的关系未撤销"
