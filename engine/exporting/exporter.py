"""``export_graph``: collect the graph (or a scope), mask personal data if asked, write one format."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from engine.exporting.collect import GraphData, collect
from engine.exporting.writers import write_csv, write_graphml, write_json
from engine.importing.posts import write_posts_csv
from engine.privacy import mask_value
from engine.store.base import GraphStore
from graph_schema.domain import SCHEMA

Format = Literal["csv", "json", "graphml"]


@dataclass
class ExportReport:
    """What ``export_graph`` wrote: files, counts per label and relationship type, and caveats."""

    fmt: Format
    files: list[Path] = field(default_factory=list)
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    scope_org_id: str | None = None
    masked: bool = False
    notes: list[str] = field(default_factory=list)

    def render_zh(self) -> str:
        """A readable multi-line Chinese summary for the command line."""
        scope = f"党组织“{self.scope_org_id}”及其下属范围" if self.scope_org_id else "全图"
        lines = [f"已导出{scope}({self.fmt}){',个人信息已脱敏' if self.masked else ''}:"]
        lines += [f"  文件 {p}" for p in self.files]
        lines += [f"  {SCHEMA.label(lb).title_zh}({lb}):{n} 个" for lb, n in self.nodes.items() if n]
        lines += [f"  关系 {SCHEMA.rel(t).title_zh}({t}):{n} 条" for t, n in self.relationships.items()]
        lines += [f"  注意:{note}" for note in self.notes]
        return "\n".join(lines)


def _mask(data: GraphData) -> None:
    """Replace every personal property (schema ``pii``) by its masked form, in place."""
    for label, rows in data.nodes.items():
        pii = SCHEMA.label(label).pii_props
        for node in rows:
            for name in pii:
                if name in node:
                    node[name] = mask_value(name, node[name])


def _file(out: Path, ext: str) -> Path:
    """``out`` itself, or ``out/lianjian.<ext>`` when ``out`` is an existing directory."""
    return out / f"lianjian.{ext}" if out.is_dir() else out


def export_graph(
    store: GraphStore,
    out: Path,
    fmt: Format,
    *,
    scope_org_id: str | None = None,
    mask_pii: bool = False,
) -> ExportReport:
    """Write the graph (or the scope of ``scope_org_id``) to ``out``: a directory of CSV files in the
    import's format, or one JSON or GraphML file. Accounts are never exported."""
    data = collect(store, scope_org_id=scope_org_id)
    if mask_pii:
        _mask(data)
    report = ExportReport(fmt, scope_org_id=scope_org_id, masked=mask_pii)
    report.nodes = {lb: len(rows) for lb, rows in data.nodes.items()}
    report.relationships = dict(sorted(Counter(r.type for r in data.rels).items()))
    if fmt == "csv":
        report.files, report.notes = write_csv(data, out)
        report.files.append(write_posts_csv(data.rels, out))  # posts: HOLDS with its properties (issue 12)
        report.notes = [note for note in report.notes if "(HOLDS)" not in note]
    elif fmt == "json":
        path = _file(out, "json")
        write_json(data, path, {"scope_org_id": scope_org_id, "masked": mask_pii})
        report.files = [path]
    elif fmt == "graphml":
        path = _file(out, "graphml")
        write_graphml(data, path)
        report.files = [path]
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return report
