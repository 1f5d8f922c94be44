"""Write collected graph data as CSV (the import's own format), JSON or GraphML."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

from engine.exporting.collect import GraphData, Rel
from engine.importing.kinds import KINDS
from engine.spreadsheet import formula_safe
from graph_schema.domain import SCHEMA, SCHEMA_VERSION

LIST_JOIN = ";"


def csv_cell(value: Any) -> str:
    """A property value as the importer reads it back: lists joined with ``;``, booleans 是/否; text
    that a spreadsheet would run as a formula quoted (``formula_safe``), numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return str(formula_safe(LIST_JOIN.join(str(v) for v in value)))
    if isinstance(value, int | float):
        return str(value)
    return str(formula_safe(str(value)))


def _references(data: GraphData) -> tuple[dict[tuple[str, str], dict[str, list[str]]], list[Rel], int]:
    """(kind, ref column) -> node id -> referenced ids; the relationships no column carries; and how
    many carried relationships had properties (which the CSV format drops)."""
    by_type: dict[str, list[Rel]] = defaultdict(list)
    for rel in data.rels:
        by_type[rel.type].append(rel)
    columns: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    carried: set[int] = set()
    with_props = 0
    for kind in KINDS:
        for ref in kind.refs:
            cells = columns[(kind.name, ref.name)]
            for rel in by_type.get(ref.rel_type, []):
                if ref.outgoing and rel.start_label == kind.label and rel.end_label in ref.targets:
                    cells[rel.start].append(rel.end)
                elif not ref.outgoing and rel.end_label == kind.label and rel.start_label in ref.targets:
                    cells[rel.end].append(rel.start)
                else:
                    continue
                carried.add(id(rel))
                with_props += bool(rel.props)
    return columns, [r for r in data.rels if id(r) not in carried], with_props


def write_csv(data: GraphData, out: Path) -> tuple[list[Path], list[str]]:
    """One UTF-8 file (with BOM, for Excel) per kind in ``out``; returns the files and what CSV left out."""
    out.mkdir(parents=True, exist_ok=True)
    columns, uncarried, with_props = _references(data)
    files: list[Path] = []
    multi = 0
    for kind in KINDS:
        props = [p.name for p in kind.schema_label.props]
        path = out / f"{kind.name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([*props, *(r.name for r in kind.refs)])
            for node in data.nodes.get(kind.label, []):
                refs = [sorted(columns[(kind.name, r.name)].get(node["id"], [])) for r in kind.refs]
                multi += sum(1 for r, ids in zip(kind.refs, refs, strict=True) if len(ids) > 1 and not r.many)
                writer.writerow([*(csv_cell(node.get(p)) for p in props), *(csv_cell(ids) for ids in refs)])
        files.append(path)
    return files, _csv_notes(data, uncarried, with_props, multi)


def _csv_notes(data: GraphData, uncarried: list[Rel], with_props: int, multi: int) -> list[str]:
    """What the CSV format could not carry, in Chinese."""
    notes: list[str] = []
    kinds = {k.label for k in KINDS}
    for label, rows in data.nodes.items():
        if label not in kinds and rows:
            notes.append(
                f"CSV 不含{SCHEMA.label(label).title_zh}({label}){len(rows)} 个,请用 JSON 或 GraphML 导出"
            )
    for rel_type, n in sorted(Counter(r.type for r in uncarried).items()):
        notes.append(f"CSV 不含关系“{SCHEMA.rel(rel_type).title_zh}”({rel_type}){n} 条")
    if with_props:
        notes.append(f"{with_props} 条关系的属性(如报到日期、甲乙方)没有写入 CSV")
    if multi:
        notes.append(f"{multi} 个单值引用格(如所属党组织)含多个编号,重新导入前需要保留其中一个")
    return notes


def write_json(data: GraphData, out: Path, extra: dict[str, Any]) -> None:
    """One JSON document: schema version, nodes with label and id, relationships with their ends."""
    doc = {
        "schema_version": SCHEMA_VERSION,
        **extra,
        "nodes": [{"label": lb, "id": n["id"], "props": n} for lb, rows in data.nodes.items() for n in rows],
        "relationships": [
            {
                "type": r.type,
                "start": r.start,
                "end": r.end,
                "start_label": r.start_label,
                "end_label": r.end_label,
                "props": r.props,
            }
            for r in data.rels
        ],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)


def _graphml_attrs(props: dict[str, Any]) -> dict[str, Any]:
    """Properties as GraphML can hold them: lists joined with ``;``, None dropped."""
    return {
        k: LIST_JOIN.join(map(str, v)) if isinstance(v, list) else v
        for k, v in props.items()
        if v is not None
    }


def write_graphml(data: GraphData, out: Path) -> None:
    """A directed multigraph: node key = id (``Label:id`` if two labels share an id), attribute ``label``."""
    shared = {i for i, n in Counter(i for _, i in data.ids()).items() if n > 1}

    def key(label: str, node_id: str) -> str:
        return f"{label}:{node_id}" if node_id in shared else node_id

    graph = nx.MultiDiGraph()
    for label, rows in data.nodes.items():
        for n in rows:
            graph.add_node(key(label, n["id"]), **_graphml_attrs(n), label=label)
    for r in data.rels:
        graph.add_edge(
            key(r.start_label, r.start), key(r.end_label, r.end), **_graphml_attrs(r.props), type=r.type
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(graph, out)
