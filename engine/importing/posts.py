"""Posts 职务 in the import/export file format (issue 12): a ``posts.csv`` (or ``职务.csv``) of the
HOLDS relationships with their properties, one row per post, current or ended.

Columns (header = the name or its Chinese title): ``id`` 职务编号, ``member_id`` 党员, ``org_id``
党组织, ``role`` 职务 (a code such as ``secretary`` or its Chinese name 书记), ``since`` 任职日期,
``until`` 离任日期 (blank: current), ``unit_id`` 来自单位 (兼职委员 only, required for it),
``note`` 备注, ``ended_reason`` 离任原因.

The import checks every row (and the file as a whole: one current 书记 per org, counting the graph's
current ones; nobody holding the same current role at one org twice) together with the other files
of the import, before anything is written; members, orgs and units may be in the graph or in the
same import. A row whose ``id`` is already stored updates that post (an export imported again
changes nothing); a row without ``id`` gets one made from its member, org, role and start date.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from engine.importing.checking import Plan, existing_ids
from engine.importing.reading import UnclearEncoding, decode_csv
from engine.importing.report import ImportProblem
from engine.spreadsheet import formula_safe, formula_unescaped
from engine.store.base import GraphStore
from engine.store.queries import posts as posts_queries
from graph_schema.domain import HOLD_ROLES, SCHEMA

FILE_NAMES = ("posts", "职务")
COLUMNS = {
    "id": "职务编号",
    "member_id": "党员",
    "org_id": "党组织",
    "role": "职务",
    "since": "任职日期",
    "until": "离任日期",
    "unit_id": "来自单位",
    "note": "备注",
    "ended_reason": "离任原因",
}
PROPS = ("id", "role", "since", "until", "unit_id", "note", "ended_reason")
ROLE_BY_NAME = {name: code for code, name in HOLD_ROLES.items()}
_LIMITS = {p.name: p.max_length for p in SCHEMA.rel("HOLDS").props if p.max_length}


def is_posts_file(entry: Path | tuple[Path, str]) -> bool:
    """Whether an import input is a posts file (by its stem, or by the kind given with it)."""
    if isinstance(entry, tuple):
        return entry[1].strip().lower() in FILE_NAMES or entry[1].strip() == "HOLDS"
    return entry.stem.strip().lower() in FILE_NAMES


def _header(cell: str) -> str | None:
    text = cell.strip().lstrip("\ufeff")
    for name, title in COLUMNS.items():
        if text.lower() == name or text == title:
            return name
    return None


def read_posts(
    files: Sequence[Path | tuple[Path, str]],
) -> tuple[list[tuple[str, int, dict[str, str]]], list[ImportProblem]]:
    """The rows of the posts files as (file, row number, cells by column name), and the problems
    of reading them (encoding, unknown headers)."""
    rows: list[tuple[str, int, dict[str, str]]] = []
    problems: list[ImportProblem] = []
    for entry in files:
        path = entry[0] if isinstance(entry, tuple) else entry
        if path.suffix.lower() != ".csv":
            problems.append(ImportProblem(path.name, 0, "", "职务文件请使用 CSV 格式(posts.csv)"))
            continue
        try:
            table = list(csv.reader(io.StringIO(decode_csv(path.read_bytes()), newline="")))
        except (UnclearEncoding, OSError, csv.Error) as exc:
            problems.append(ImportProblem(path.name, 0, "", f"无法读取文件:{exc}"))
            continue
        if not table:
            problems.append(ImportProblem(path.name, 0, "", "文件是空的,没有表头"))
            continue
        names = [_header(h) for h in table[0]]
        for raw, name in zip(table[0], names, strict=True):
            if name is None and raw.strip():
                problems.append(ImportProblem.at(path.name, 1, raw, "无法识别的列"))
        for n, cells in enumerate(table[1:], start=2):
            if not any(c.strip() for c in cells):
                continue
            values = {
                name: formula_unescaped(c.strip())
                for name, c in zip(names, cells, strict=False)
                if name and c.strip()
            }
            rows.append((path.name, n, values))
    return rows, problems


def _day(text: str | None) -> str | None:
    if not text:
        return None
    return date.fromisoformat(text).isoformat()


def post_id(member_id: str, org_id: str, role: str, since: str | None) -> str:
    """The id of an imported post that names none: stable for the same member, org, role and start."""
    digest = hashlib.sha1(f"{member_id}|{org_id}|{role}|{since or ''}".encode()).hexdigest()[:24]
    return f"post-{digest}"


def check_posts(
    store: GraphStore, rows: list[tuple[str, int, dict[str, str]]], plan: Plan, *, batch_size: int = 2000
) -> tuple[list[dict[str, Any]], list[ImportProblem]]:
    """The write rows of clean posts and every problem (rows, references, the rules across rows)."""
    problems: list[ImportProblem] = []
    clean: list[tuple[str, int, dict[str, Any]]] = []
    for file, n, cells in rows:
        where = (file, n)
        row: dict[str, Any] = {}
        ok = True
        for name in ("member_id", "org_id", "role"):
            if not cells.get(name):
                problems.append(ImportProblem.at(*where, COLUMNS[name], "必须填写"))
                ok = False
        role = cells.get("role", "")
        role = ROLE_BY_NAME.get(role, role)
        if role and role not in HOLD_ROLES:
            problems.append(ImportProblem.at(*where, COLUMNS["role"], f"职务“{role}”不存在"))
            ok = False
        for name in ("since", "until"):
            try:
                row[name] = _day(cells.get(name))
            except ValueError:
                problems.append(ImportProblem.at(*where, COLUMNS[name], "须为日期,如 2026-01-31"))
                ok = False
        for name, limit in _LIMITS.items():
            if len(cells.get(name, "")) > limit:
                problems.append(ImportProblem.at(*where, COLUMNS.get(name, name), f"不能超过 {limit} 个字"))
                ok = False
        if ok and row["since"] and row["until"] and row["until"] < row["since"]:
            problems.append(ImportProblem.at(*where, COLUMNS["until"], "离任日期不能早于任职日期"))
            ok = False
        unit = cells.get("unit_id")
        if ok and role == "part_time_member" and not unit:
            problems.append(ImportProblem.at(*where, COLUMNS["unit_id"], "兼职委员须填写来自的驻区单位"))
            ok = False
        if ok and unit and role != "part_time_member":
            problems.append(ImportProblem.at(*where, COLUMNS["unit_id"], "只有兼职委员填写来自的单位"))
            ok = False
        if ok:
            row |= {k: cells.get(k) for k in ("member_id", "org_id", "unit_id", "note", "ended_reason")}
            row["role"] = role
            row["id"] = cells.get("id") or post_id(row["member_id"], row["org_id"], role, row["since"])
            clean.append((file, n, row))
    problems += _references(store, clean, plan, batch_size)
    problems += _across(store, clean)
    writes = [
        {
            "member_id": r["member_id"],
            "org_id": r["org_id"],
            "props": {k: r[k] for k in PROPS if r.get(k) is not None},
        }
        for _, _, r in clean
    ]
    return writes, problems


def _references(
    store: GraphStore, clean: list[tuple[str, int, dict[str, Any]]], plan: Plan, batch_size: int
) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    for label, column, title in (
        ("Member", "member_id", "党员"),
        ("Org", "org_id", "党组织"),
        ("Unit", "unit_id", "驻区单位"),
    ):
        wanted = {r[column] for _, _, r in clean if r.get(column)}
        known = {str(x["id"]) for x in plan.nodes.get(label, [])}
        found = known | existing_ids(store, label, wanted - known, batch_size)
        for file, n, r in clean:
            if r.get(column) and r[column] not in found:
                problems.append(
                    ImportProblem.at(file, n, COLUMNS[column], f"找不到编号为“{r[column]}”的{title}")
                )
    return problems


def _across(store: GraphStore, clean: list[tuple[str, int, dict[str, Any]]]) -> list[ImportProblem]:
    """One current 书记 per org (the graph's current ones count, unless the file ends them) and
    nobody holding the same current role at one org twice."""
    problems: list[ImportProblem] = []
    ids = Counter(r["id"] for _, _, r in clean)
    for file, n, r in clean:
        if ids[r["id"]] > 1:
            problems.append(ImportProblem.at(file, n, COLUMNS["id"], f"职务编号“{r['id']}”在导入中出现多次"))
    current = [(f, n, r) for f, n, r in clean if r["until"] is None]
    file_ids = {r["id"] for _, _, r in clean}
    stored: dict[str, list[dict[str, Any]]] = {}
    for org in sorted({r["org_id"] for _, _, r in current}):
        rows = store.run(posts_queries.LIST, {"org_id": org, "all": False})
        stored[org] = [dict(x) for x in rows if x["id"] not in file_ids]
    seen: dict[tuple[str, str, str], int] = {}
    secretaries: dict[str, int] = {}
    for file, n, r in current:
        key = (r["org_id"], r["member_id"], r["role"])
        clash = any(x["member_id"] == r["member_id"] and x["role"] == r["role"] for x in stored[r["org_id"]])
        if key in seen or clash:
            problems.append(ImportProblem.at(file, n, COLUMNS["role"], "该党员已担任本组织的此职务(现任)"))
        seen[key] = n
        if r["role"] == "secretary":
            secretaries[r["org_id"]] = secretaries.get(r["org_id"], 0) + 1
            others = [x for x in stored[r["org_id"]] if x["role"] == "secretary"]
            if secretaries[r["org_id"]] > 1 or others:
                problems.append(
                    ImportProblem.at(file, n, COLUMNS["role"], "本组织已有现任书记;请先为原任填写离任日期")
                )
    return problems


def write_posts(store: GraphStore, rows: list[dict[str, Any]], *, batch_size: int = 2000) -> int:
    """Upsert the checked posts in batches (one statement each); how many rows were sent."""
    for i in range(0, len(rows), batch_size):
        store.run(posts_queries.BULK_IMPORT, {"rows": rows[i : i + batch_size]})
    return len(rows)


def post_rows(rels: Iterable[Any]) -> list[dict[str, Any]]:
    """The posts file's rows of the collected HOLDS relationships (ids made for posts without one)."""
    out = []
    for r in rels:
        if r.type != "HOLDS":
            continue
        props = dict(r.props or {})
        pid = props.get("id") or f"h:{r.end}:{r.start}:{props.get('role')}"
        out.append({**{k: props.get(k) for k in PROPS}, "id": pid, "member_id": r.start, "org_id": r.end})
    return sorted(out, key=lambda x: (x["org_id"], x["member_id"], x["role"] or "", x["since"] or ""))


def write_posts_csv(rels: Iterable[Any], out: Path) -> Path:
    """``out/posts.csv`` (UTF-8 with BOM, for Excel) of the collected HOLDS relationships."""
    path = out / "posts.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(list(COLUMNS))
        for row in post_rows(rels):
            writer.writerow(["" if row.get(c) is None else str(formula_safe(str(row[c]))) for c in COLUMNS])
    return path
