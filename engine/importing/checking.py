"""Check every sheet of an import against the schema and the graph, and plan its writes.

Nothing here writes: problems are collected across all files so the user sees them all at
once, and a clean import yields a ``Plan`` of node rows and relationship rows per statement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from engine.importing.kinds import IMPORT_LABELS, KINDS, Kind, RefColumn
from engine.importing.reading import Sheet
from engine.importing.report import ImportProblem
from engine.services.venue_hours import amount_rules, normalize_hours, venue_rules
from engine.spreadsheet import formula_unescaped
from engine.store.base import GraphStore
from engine.store.queries.nodes import node_stmt
from graph_schema.domain import SCHEMA
from graph_schema.model import PropType
from graph_schema.taxonomy import CATEGORIES, CATEGORY_BY_ID
from graph_schema.validation import LIST_SEPARATORS, CoercionError, coerce, validate_node

Progress = Callable[[str, int], None]
RelKey = tuple[str, str, str]  # relationship type, start label, end label
CATEGORY_BY_NAME = {c.name: c.id for c in CATEGORIES}
CATEGORY_PROPS = {"category"}  # properties whose values are codes of graph_schema/taxonomy.py


@dataclass(frozen=True, slots=True)
class Place:
    """Where a value was read: the sheet, the spreadsheet row and the header as written."""

    sheet: Sheet
    row: int
    column: str

    def problem(self, message: str) -> ImportProblem:
        """A problem at this place."""
        return self.sheet.problem(self.row, self.column, message)


@dataclass(frozen=True, slots=True)
class Reference:
    """An id in a reference column of one row: to become one relationship once resolved."""

    place: Place
    ref: RefColumn
    label: str  # label of the row's node
    node_id: str
    target: str
    target_label: str = ""  # set once resolved


@dataclass
class Plan:
    """The writes of a clean import: node rows per label, relationship rows per endpoint pair."""

    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    new_ids: dict[str, list[str]] = field(default_factory=dict)
    rels: dict[RelKey, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class _State:
    """What checking has gathered so far."""

    problems: list[ImportProblem] = field(default_factory=list)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    first_seen: dict[tuple[str, str], Place] = field(default_factory=dict)  # (label, id) -> place
    refs: list[Reference] = field(default_factory=list)


def cell_text(raw: Any) -> str:
    """A cell as text: Excel's whole numbers without ``.0``, blanks as '', an export's formula
    quote dropped."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return formula_unescaped(str(raw).strip()).strip()


def _columns(sheet: Sheet, state: _State) -> dict[int, str]:
    """Column index -> field name; header problems (unknown, repeated, missing) go to ``state``."""
    accepted = sheet.kind.columns()
    by_index: dict[int, str] = {}
    header_of: dict[str, str] = {}
    unknown = False
    for i, header in enumerate(sheet.headers):
        if not header:
            if any(i < len(cells) and cell_text(cells[i]) for _, cells in sheet.rows):
                state.problems.append(sheet.problem(1, f"第 {i + 1} 列", "这一列有数据,但没有列标题"))
            continue
        name = accepted.get(header.lower())
        if name is None:
            state.problems.append(sheet.problem(1, header, f"未知的列“{header}”"))
            unknown = True
        elif name in header_of:
            state.problems.append(
                sheet.problem(1, header, f"“{header}”与“{header_of[name]}”是同一列({name}),只能保留一个")
            )
        else:
            by_index[i] = name
            header_of[name] = header
    if unknown:
        known = "、".join(_field_titles(sheet.kind))
        state.problems.append(sheet.problem(1, "", f"{sheet.kind.title_zh}表可用的列:{known}"))
    label = sheet.kind.schema_label
    required = [(p.name, p.title_zh) for p in label.props if p.required]
    required += [(r.name, r.title_zh) for r in sheet.kind.refs if r.required]
    for name, title in required:
        if name not in header_of:
            state.problems.append(sheet.problem(1, "", f"缺少必填列“{title}”({name})"))
    return by_index


def _field_titles(kind: Kind) -> list[str]:
    fields = [(p.name, p.title_zh) for p in kind.schema_label.props] + [
        (r.name, r.title_zh) for r in kind.refs
    ]
    return [f"{title}({name})" for name, title in fields]


def _coerce_props(
    kind: Kind, cells: dict[str, tuple[Place, Any]], state: _State
) -> tuple[dict[str, Any], set[str]]:
    """Typed property values of one row, and the fields whose values could not be read."""
    payload: dict[str, Any] = {}
    bad: set[str] = set()
    for name, (place, raw) in cells.items():
        prop = kind.schema_label.prop(name)
        if prop is None:
            continue  # a reference column
        if prop.type is PropType.STRING and not isinstance(raw, str):
            raw = cell_text(raw)
        elif isinstance(raw, str) and formula_unescaped(raw.strip()) != raw.strip():
            raw = formula_unescaped(raw.strip())  # the quote an export put before a formula-like text
        try:
            value = coerce(prop, raw)
        except CoercionError as exc:
            state.problems.append(place.problem(str(exc)))
            bad.add(name)
            continue
        if value is not None and name in CATEGORY_PROPS:
            value = CATEGORY_BY_NAME.get(value, value)
            if value not in CATEGORY_BY_ID:
                state.problems.append(
                    place.problem(
                        f"服务类别“{value}”不在服务类别表中,"
                        "请填写类别编号(如 elderly.meals)或名称(如 助餐送餐)"
                    )
                )
                bad.add(name)
                continue
        if value is not None:
            payload[name] = value
    return payload, bad


def _check_row(sheet: Sheet, row: int, cells_in: list[Any], columns: dict[int, str], state: _State) -> None:
    kind = sheet.kind
    extra = [v for v in cells_in[len(sheet.headers) :] if cell_text(v)]
    if extra:
        state.problems.append(sheet.problem(row, "", f"这一行的数据比表头多出 {len(extra)} 列"))
    cells = {
        name: (Place(sheet, row, sheet.headers[i]), cells_in[i] if i < len(cells_in) else None)
        for i, name in columns.items()
    }
    payload, bad = _coerce_props(kind, cells, state)
    if kind.label == "Offering":  # a venue's hours, mode and price, goods' and funds' amounts (issue 12)
        _offering_rules(payload, cells, bad, state)
    for p in validate_node(kind.label, payload):
        if p.field in cells and p.field not in bad:  # a missing column was reported at the header
            state.problems.append(cells[p.field][0].problem(p.message))
    node_id = payload.get("id")
    if not isinstance(node_id, str):
        return
    place = cells["id"][0]
    first = state.first_seen.setdefault((kind.label, node_id), place)
    if first is not place:
        where = first.sheet.file + (f" 工作表“{first.sheet.sheet}”" if first.sheet.sheet else "")
        state.problems.append(place.problem(f"编号“{node_id}”重复:{where} 第 {first.row} 行已经用过"))
        return
    state.rows[kind.label].append(payload)
    for name, (place, raw) in cells.items():
        ref = kind.ref(name)
        if ref is not None:
            _read_ref(kind, ref, node_id, place, raw, state)


def _offering_rules(
    payload: dict[str, Any], cells: dict[str, tuple[Place, Any]], bad: set[str], state: _State
) -> None:
    """The rules an offering's venue and amount fields keep (as through the API); opening hours are
    stored normalised and what is left defaults to the whole amount."""
    where = cells.get("opening_hours") or cells.get("price") or cells.get("amount") or cells.get("kind")
    if where is None:
        return
    place = where[0]
    try:
        if payload.get("opening_hours") is not None:
            payload["opening_hours"] = normalize_hours(payload["opening_hours"])
        venue_rules(
            payload.get("kind"), payload.get("access"), payload.get("price"), payload.get("opening_hours")
        )
        amount_rules(payload.get("kind"), payload.get("amount"), payload.get("amount_unit"))
    except ValueError as exc:
        state.problems.append(place.problem(str(exc)))
        bad.add("opening_hours")
        return
    if payload.get("amount") is not None and payload.get("amount_left") is None:
        payload["amount_left"] = payload["amount"]
    elif payload.get("amount_left") is not None and payload["amount_left"] > payload.get("amount", 0):
        state.problems.append(place.problem("“剩余量”不能大于“总量”"))


def _split(text: str) -> list[str]:
    for sep in LIST_SEPARATORS[1:]:
        text = text.replace(sep, LIST_SEPARATORS[0])
    return [x.strip() for x in text.split(LIST_SEPARATORS[0]) if x.strip()]


def _read_ref(kind: Kind, ref: RefColumn, node_id: str, place: Place, raw: Any, state: _State) -> None:
    targets = _split(cell_text(raw))
    if not targets:
        if ref.required:
            state.problems.append(place.problem(f"“{ref.title_zh}”必须填写"))
        return
    if len(targets) > 1 and not ref.many:
        state.problems.append(place.problem(f"“{ref.title_zh}”只能填写一个编号,收到 {len(targets)} 个"))
        return
    for target in dict.fromkeys(targets):
        if target == node_id and kind.label in ref.targets:
            state.problems.append(place.problem(f"“{ref.title_zh}”不能是这一行自己(编号“{target}”)"))
            continue
        state.refs.append(Reference(place, ref, kind.label, node_id, target))


def _cycles(state: _State) -> None:
    """Reject parent chains that loop back within the import (A's parent B, B's parent A)."""
    for kind in KINDS:
        for ref in kind.refs:
            if ref.targets != (kind.label,) or ref.many:
                continue
            parent = {r.node_id: r for r in state.refs if r.ref is ref and r.label == kind.label}
            done: set[str] = set()
            for start in parent:
                path: list[str] = []
                node: str | None = start
                while node is not None and node not in done and node not in path:
                    path.append(node)
                    nxt = parent.get(node)
                    node = nxt.target if nxt else None
                if node is not None and node in path:
                    loop = path[path.index(node) :]
                    chain = " → ".join([*loop, node])
                    for member in loop:
                        state.problems.append(
                            parent[member].place.problem(f"“{ref.title_zh}”形成循环:{chain}")
                        )
                done.update(path)


def existing_ids(store: GraphStore, label: str, ids: Iterable[str], batch_size: int) -> set[str]:
    """Which of ``ids`` are nodes of ``label`` in the graph, read in batches with ``node.get_many``."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    for i in range(0, len(wanted), batch_size):
        rows = store.run(node_stmt("get_many", label), {"ids": wanted[i : i + batch_size]})
        found.update(str(r["node"]["id"]) for r in rows)
    return found


def _resolve(
    store: GraphStore, state: _State, batch_size: int
) -> tuple[dict[str, set[str]], list[Reference]]:
    """Ids per label in the graph (of imported rows and of references), and the references resolved."""
    imported = {lb: {r["id"] for r in state.rows.get(lb, [])} for lb in IMPORT_LABELS}
    wanted: dict[str, set[str]] = {lb: set(ids) for lb, ids in imported.items()}
    for r in state.refs:
        for lb in r.ref.targets:
            wanted[lb].add(r.target)
    graph = {lb: existing_ids(store, lb, ids, batch_size) for lb, ids in wanted.items() if ids}
    known = {lb: imported[lb] | graph.get(lb, set()) for lb in IMPORT_LABELS}
    resolved: list[Reference] = []
    missing: list[Reference] = []
    for r in state.refs:
        hits = [lb for lb in r.ref.targets if r.target in known[lb]]
        if len(hits) == 1:
            resolved.append(replace(r, target_label=hits[0]))
        elif hits:
            names = "和".join(SCHEMA.label(lb).title_zh for lb in hits)
            state.problems.append(r.place.problem(f"编号“{r.target}”同时是{names},无法确定指的是哪一个"))
        else:
            missing.append(r)
    _explain_missing(store, state, missing, known, batch_size)
    return graph, resolved


def _explain_missing(
    store: GraphStore, state: _State, missing: list[Reference], known: dict[str, set[str]], batch_size: int
) -> None:
    """A problem per unresolved reference, saying when the id is a node of the wrong kind."""
    others: dict[str, set[str]] = defaultdict(set)
    for r in missing:
        for lb in IMPORT_LABELS:
            if lb not in r.ref.targets and r.target not in known[lb]:
                others[lb].add(r.target)
    for lb, ids in others.items():
        known[lb] = known[lb] | existing_ids(store, lb, ids, batch_size)
    for r in missing:
        wanted = "或".join(SCHEMA.label(lb).title_zh for lb in r.ref.targets)
        wrong = [SCHEMA.label(lb).title_zh for lb in IMPORT_LABELS if r.target in known[lb]]
        if wrong:
            message = f"编号“{r.target}”是{'、'.join(wrong)},这里应填写{wanted}的编号"
        else:
            message = f"找不到编号为“{r.target}”的{wanted}(本次导入的文件和图中都没有)"
        state.problems.append(r.place.problem(message))


def _plan(state: _State, graph: dict[str, set[str]], resolved: list[Reference]) -> Plan:
    """Node rows (stamped: created_at when new, updated_at always, unless the file gives them)
    and deduplicated relationship rows."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    plan = Plan()
    for kind in KINDS:
        rows = state.rows.get(kind.label, [])
        if not rows:
            continue
        before = graph.get(kind.label, set())
        plan.new_ids[kind.label] = [r["id"] for r in rows if r["id"] not in before]
        stamped = kind.schema_label.prop("updated_at") is not None
        plan.nodes[kind.label] = [
            {"created_at": now, "updated_at": now, **r}
            if stamped and r["id"] not in before
            else {"updated_at": now, **r}
            if stamped
            else r
            for r in rows
        ]
    rels: dict[RelKey, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
    for r in resolved:
        if r.ref.outgoing:
            key, start, end = (r.ref.rel_type, r.label, r.target_label), r.node_id, r.target
        else:
            key, start, end = (r.ref.rel_type, r.target_label, r.label), r.target, r.node_id
        rels[key][(start, end)] = {"start": start, "end": end, "props": {}}
    plan.rels = {key: list(rows.values()) for key, rows in rels.items()}
    return plan


def check(
    store: GraphStore, sheets: list[Sheet], *, batch_size: int, progress: Progress | None = None
) -> tuple[Plan, list[ImportProblem], dict[str, int]]:
    """Every problem of ``sheets`` (against the schema, the taxonomy, each other and the graph),
    the plan of writes, and the rows read per kind."""
    state = _State()
    counts: dict[str, int] = defaultdict(int)
    for sheet in sheets:
        columns = _columns(sheet, state)
        for row, cells in sheet.rows:
            _check_row(sheet, row, cells, columns, state)
        counts[sheet.kind.name] += len(sheet.rows)
        if progress:
            progress("校验数据", len(sheet.rows))
    _cycles(state)
    graph, resolved = _resolve(store, state, batch_size)
    return _plan(state, graph, resolved), state.problems, dict(counts)
