"""Import of CSV and Excel files into a real FalkorDB graph: all-or-nothing, with located problems."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from engine.importing import ImportFailed, ImportProblem, ImportRejected, import_files
from engine.importing.reading import SAMPLE, UnclearEncoding, decode_csv
from engine.store.base import GraphStore, Row
from engine.store.errors import StatementError
from engine.store.registry import Statement
from graph_schema.ddl import IndexSpec

FIXTURES = Path(__file__).parent / "fixtures" / "import"
BASE = [FIXTURES / "areas.csv", FIXTURES / "orgs.csv", FIXTURES / "units.csv"]
ALL = sorted(FIXTURES.glob("*.csv"))


def counts(store: GraphStore) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type."""
    nodes = {r["label"]: r["count"] for r in store.run("meta.count_by_label")}
    rels = {r["type"]: r["count"] for r in store.run("meta.count_by_rel")}
    return nodes, rels


def pairs(store: GraphStore, rel: str, start: str, end: str) -> set[tuple[str, str]]:
    """(start id, end id) of every relationship of one endpoint pair."""
    rows = store.run(f"rel.list.{rel}.{start}.{end}", {"skip": 0, "limit": 1000})
    return {(r["start_id"], r["end_id"]) for r in rows}


def node(store: GraphStore, label: str, node_id: str) -> dict[str, Any]:
    row = store.one(f"node.get.{label}", {"id": node_id})
    assert row is not None, f"{label} {node_id} missing"
    return dict(row["node"])


def members_file(tmp_path: Path, replace: tuple[str, str] | None = None, name: str = "members.csv") -> Path:
    """The fixture members.csv, with one text replaced, written under ``tmp_path``."""
    text = (FIXTURES / "members.csv").read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(replace[0], replace[1])
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rejected(store: GraphStore, files: list[Path | tuple[Path, str]]) -> list[ImportProblem]:
    """The problems of an import that must be rejected, checking that it wrote nothing."""
    before = counts(store)
    with pytest.raises(ImportRejected) as info:
        import_files(store, files)
    assert counts(store) == before
    assert info.value.report.problems
    return info.value.report.problems


def test_bad_row_rejects_the_file_then_the_fixed_file_imports(store: GraphStore, tmp_path: Path) -> None:
    import_files(store, BASE)
    before = counts(store)
    bad = members_file(tmp_path, ("M-3,王五,13700001111,male,1975", "M-3,王五,13700001111,male,一九七五"))

    with pytest.raises(ImportRejected) as info:
        import_files(store, [bad])

    assert counts(store) == before
    problems = info.value.report.problems
    assert [(p.file, p.row, p.column) for p in problems] == [("members.csv", 4, "birth_year")]
    assert problems[0].message.startswith("第 4 行“birth_year”列:")
    assert "出生年份" in problems[0].message and "一九七五" in problems[0].message
    text = info.value.report.render_zh()
    assert "members.csv" in text and "第 4 行" in text

    report = import_files(store, [members_file(tmp_path)])
    assert report.upserted == {"members": 4} and report.created == {"members": 4}
    nodes, rels = counts(store)
    assert nodes["Member"] == 4
    assert pairs(store, "BELONGS_TO", "Member", "Org") == {
        ("M-1", "O-G1"),
        ("M-2", "O-U1"),
        ("M-3", "O-C2"),
        ("M-4", "O-C1"),
    }
    assert pairs(store, "JOINS", "Member", "Org") == {("M-2", "O-G1"), ("M-4", "O-G1")}
    assert pairs(store, "WORKS_AT", "Member", "Unit") == {("M-2", "U-1"), ("M-3", "U-2")}
    assert rels["LIVES_IN"] == 4 and rels["REPORTS_TO"] == before[1]["REPORTS_TO"] + 1


def test_all_kinds_import_with_types_references_and_stamps(store: GraphStore) -> None:
    report = import_files(store, ALL)

    nodes, rels = counts(store)
    expected_nodes = {"Area": 6, "Org": 7, "Unit": 2, "Member": 4, "Need": 2, "Offering": 3, "Agreement": 2}
    assert {k: v for k, v in nodes.items() if k in expected_nodes} == expected_nodes
    assert sum(rels.values()) == 46 == sum(report.relationships.values())  # 3 of them posts (HOLDS)
    assert pairs(store, "HOLDS", "Member", "Org") == {("M-1", "O-G1"), ("M-2", "O-C1"), ("M-4", "O-G1")}
    assert pairs(store, "LEADS", "Org", "Org") == {("O-S1", "O-C1"), ("O-C1", "O-G1"), ("O-S2", "O-C2")}
    assert pairs(store, "COVERS", "Org", "Area") >= {("O-G1", "A-G1"), ("O-G1", "A-B1")}
    assert pairs(store, "OFFERS", "Member", "Offering") == {("M-3", "F-2")}
    assert pairs(store, "PARTY_TO", "Org", "Agreement") == {("O-C1", "G-1"), ("O-C2", "G-2")}
    assert pairs(store, "EMBEDDED_IN", "Org", "Unit") == {("O-U1", "U-1"), ("O-U2", "U-2")}

    m1 = node(store, "Member", "M-1")
    assert m1["in_service"] is False and m1["birth_year"] == 1965 and m1["skills"] == ["医疗", "陪伴"]
    assert m1["created_at"] == m1["updated_at"] and m1["created_at"].endswith("Z")
    assert node(store, "Area", "A-B1")["old_compound"] is True
    n1, n2 = node(store, "Need", "N-1"), node(store, "Need", "N-2")
    assert n1["window_start"] == "2026-12-01T00:00:00Z"  # 08:00 Beijing time
    assert n2["category"] == "children.after_school"  # written by its Chinese name 四点半课堂


def test_reimport_updates_without_duplicating(store: GraphStore, tmp_path: Path) -> None:
    import_files(store, ALL)
    first = counts(store)
    changed = members_file(
        tmp_path,
        ("M-1,张三丰,13812341234,male,1965,1990,否,医疗;陪伴,20", "M-1,张三丰,,male,1965,1990,是,医疗,30"),
    )

    report = import_files(store, [changed])

    assert report.created == {"members": 0} and report.upserted == {"members": 4}
    assert counts(store) == first
    m1 = node(store, "Member", "M-1")
    assert m1["in_service"] is True and m1["hours_per_month"] == 30 and m1["skills"] == ["医疗"]
    assert m1["phone"] == "13812341234"  # a blank cell leaves the stored value alone


def test_xlsx_with_two_sheets_and_excel_types(store: GraphStore, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    areas = book.active
    assert areas is not None
    areas.title = "区域"
    areas.append(["编号", "名称", "层级", "上级区域", "户数", "老旧小区"])
    areas.append(["A1", "东风街道", "street", None, None, None])
    areas.append([None, None, None, None, None, None])  # a blank row Excel users leave behind
    areas.append(["A2", "幸福社区", "community", "A1", 1200, True])
    orgs = book.create_sheet("党组织")
    orgs.append(["id", "name", "level", "kind", "founded_on", "parent", "covers"])
    orgs.append([1001, "东风街道党工委", "street", "big_council", datetime(2019, 7, 1), None, "A1"])
    orgs.append([1002, "幸福社区党委", "community", "big_council", datetime(2020, 1, 15), 1001, "A2"])
    book.create_sheet("Sheet3")  # empty: ignored
    path = tmp_path / "基础数据.xlsx"
    book.save(path)

    report = import_files(store, [path])

    assert report.upserted == {"areas": 2, "orgs": 2}
    area = node(store, "Area", "A2")
    assert area["households"] == 1200 and area["old_compound"] is True
    assert node(store, "Org", "1002")["founded_on"] == "2020-01-15"
    assert pairs(store, "LEADS", "Org", "Org") == {("1001", "1002")}
    assert pairs(store, "CONTAINS", "Area", "Area") == {("A1", "A2")}

    orgs.append([1003, "网格党支部", "grid", "standard", "去年", 1002, None])
    book.save(path)
    problems = rejected(store, [path])
    assert [(p.sheet, p.row, p.column) for p in problems] == [("党组织", 4, "founded_on")]


def test_chinese_headers_in_a_gb18030_csv(store: GraphStore, tmp_path: Path) -> None:
    import_files(store, BASE)
    path = tmp_path / "党员.csv"
    path.write_bytes(
        "编号,姓名,手机号,性别,出生年份,在职党员,特长,所属党组织,参加组织,工作单位,居住区域\n"
        "P1,钱七,13512345678,female,1980,是,法律、调解,O-C1,O-G1;O-C2,U-1,A-G1\n".encode("gb18030")
    )

    import_files(store, [path])

    p1 = node(store, "Member", "P1")
    assert (p1["name"], p1["phone"], p1["birth_year"], p1["in_service"]) == (
        "钱七",
        "13512345678",
        1980,
        True,
    )
    assert p1["skills"] == ["法律", "调解"]
    assert pairs(store, "JOINS", "Member", "Org") == {("P1", "O-G1"), ("P1", "O-C2")}
    assert ("P1", "U-1") in pairs(store, "WORKS_AT", "Member", "Unit")


def test_duplicate_ids_are_rejected_within_and_across_files(store: GraphStore, tmp_path: Path) -> None:
    import_files(store, BASE)
    doubled = members_file(tmp_path, ("M-4,赵六", "M-1,赵六"))
    problems = rejected(store, [doubled])
    assert [(p.row, p.column) for p in problems] == [(5, "id")]
    assert "M-1" in problems[0].message and "第 2 行" in problems[0].message

    extra = tmp_path / "more.csv"
    extra.write_text("id,name,belongs_to\nM-2,另一个李四,O-C1\n", encoding="utf-8")
    problems = rejected(store, [members_file(tmp_path), (extra, "党员")])
    assert [(p.file, p.row, p.column) for p in problems] == [("more.csv", 2, "id")]


def test_references_must_resolve_to_the_right_kind(store: GraphStore, tmp_path: Path) -> None:
    import_files(store, BASE)
    unknown = members_file(tmp_path, ("20,O-G1,", "20,O-X9,"))
    problems = rejected(store, [unknown])
    assert [(p.row, p.column) for p in problems] == [(2, "belongs_to")]
    assert "O-X9" in problems[0].message and "找不到" in problems[0].message

    wrong = members_file(tmp_path, ("10,O-C2,", "10,U-2,"))
    problems = rejected(store, [wrong])
    assert [(p.row, p.column) for p in problems] == [(4, "belongs_to")]
    assert "驻区单位" in problems[0].message and "党组织" in problems[0].message

    missing = members_file(tmp_path, ("6,O-C1,", "6,,"))
    assert [(p.row, p.column) for p in rejected(store, [missing])] == [(5, "belongs_to")]


def test_headers_categories_choices_and_cycles_are_checked(store: GraphStore, tmp_path: Path) -> None:
    import_files(store, BASE)
    path = tmp_path / "needs.csv"
    path.write_text(
        "id,title,category,people_wanted,urgency,window_start,window_end,status,posted_by,颜色\n"
        "N1,助餐,elderly.meals,2,high,2026-12-01,2026-12-02,open,O-C1,红\n"
        "N2,不存在的类别,cooking,2,high,2026-12-01,2026-12-02,open,O-C1,\n"
        "N3,紧急程度不对,elderly.meals,2,very,2026-12-01,2026-12-02,open,O-C1,\n",
        encoding="utf-8",
    )
    problems = rejected(store, [path])
    found = {(p.row, p.column) for p in problems}
    assert {(1, "颜色"), (3, "category"), (4, "urgency")} <= found
    assert not any(p.row == 2 for p in problems)

    orgs = tmp_path / "orgs.csv"
    orgs.write_text(
        "id,name,level,kind,parent\nX1,甲,grid,standard,X2\nX2,乙,grid,standard,X1\nX3,丙,grid,standard,X3\n",
        encoding="utf-8",
    )
    problems = rejected(store, [orgs])
    assert {(p.row, p.column) for p in problems} == {(2, "parent"), (3, "parent"), (4, "parent")}
    assert any("循环" in p.message for p in problems)

    nameless = tmp_path / "units.csv"
    nameless.write_text("id,type\nU9,school\n", encoding="utf-8")
    problems = rejected(store, [nameless])
    assert [(p.row, p.column) for p in problems] == [(1, "")]
    assert "名称" in problems[0].message


def test_files_whose_kind_is_unknown_are_rejected(store: GraphStore, tmp_path: Path) -> None:
    odd = tmp_path / "people.csv"
    odd.write_text("id,name\n1,x\n", encoding="utf-8")
    problems = rejected(store, [odd, (odd, "friends")])
    assert [p.row for p in problems] == [0, 0]
    assert all(p.file == "people.csv" for p in problems)


class FailingStore(GraphStore):
    """A real store that raises a database error on the n-th run of statements with a given prefix."""

    def __init__(self, inner: GraphStore, prefix: str, fail_on: int) -> None:
        super().__init__()
        self.inner, self.prefix, self.left = inner, prefix, fail_on
        self.backend = inner.backend  # type: ignore[misc]

    def _execute(self, stmt: Statement, params: dict[str, Any]) -> list[Row]:
        if stmt.name.startswith(self.prefix):
            self.left -= 1
            if self.left == 0:
                raise StatementError(f"{stmt.name}: injected failure")
        return self.inner._execute(stmt, params)

    def ensure_indexes(self, specs: Sequence[IndexSpec]) -> list[bool]:
        return self.inner.ensure_indexes(specs)

    def compact(self) -> None:
        self.inner.compact()

    def drop_all(self) -> None:
        self.inner.drop_all()

    def close(self) -> None:
        self.inner.close()


def test_a_failing_batch_removes_the_nodes_the_import_created(store: GraphStore, tmp_path: Path) -> None:
    import_files(store, BASE)
    before = counts(store)
    failing = FailingStore(store, "rel.bulk_merge.", fail_on=3)

    with pytest.raises(ImportFailed) as info:
        import_files(failing, [members_file(tmp_path), FIXTURES / "needs.csv"], batch_size=1)

    assert counts(store) == before
    assert "党员 4 个" in str(info.value) and "需求 2 个" in str(info.value)
    assert store.one("node.get.Member", {"id": "M-1"}) is None


ENCODINGS = FIXTURES / "encodings"  # one units.csv per encoding, made from the same rows
SIMPLIFIED = {"U-9": ("区中心血站", "张建国"), "U-10": ("幸福社区卫生服务中心", "刘晓燕")}
ACCEPTED = {
    "utf-8": SIMPLIFIED,
    "utf-8-bom": SIMPLIFIED,
    "gb18030": SIMPLIFIED,
    "gbk": SIMPLIFIED,
    "big5": {"U-9": ("臺北聯合醫院", "陳大文"), "U-10": ("新北市立圖書館", "林美麗")},
}


@pytest.mark.parametrize("encoding", sorted(ACCEPTED))
def test_a_units_csv_in_each_accepted_encoding_keeps_its_text(store: GraphStore, encoding: str) -> None:
    """UTF-8 (with or without BOM), GB18030, GBK and Big5 files are recognised and stored as written
    (a Big5 file was once read as GB18030 and stored as mojibake)."""
    import_files(store, BASE)
    report = import_files(store, [ENCODINGS / encoding / "units.csv"])
    assert report.upserted == {"units": 3}
    for unit_id, (name, contact) in ACCEPTED[encoding].items():
        stored = node(store, "Unit", unit_id)
        assert (stored["name"], stored["contact_name"]) == (name, contact)
    assert ("U-9", "A-C1") in pairs(store, "LOCATED_IN", "Unit", "Area")  # the header was read too


@pytest.mark.parametrize("encoding", ["shift_jis", "utf-16", "cp1252"])
def test_a_csv_in_another_encoding_is_refused_naming_the_encodings_tried(
    store: GraphStore, encoding: str
) -> None:
    """Shift-JIS, UTF-16 and Windows-1252 files are refused as a whole, nothing written, with a
    Chinese message naming the encodings tried."""
    import_files(store, BASE)
    problems = rejected(store, [ENCODINGS / encoding / "units.csv"])
    assert [(p.file, p.row, p.column) for p in problems] == [("units.csv", 0, "")]
    message = problems[0].message
    assert "编码" in message and all(name in message for name in ("UTF-8", "GB18030", "GBK", "Big5"))


def test_one_file_of_unclear_encoding_rejects_the_whole_import(store: GraphStore) -> None:
    """The import is checked whole first: good files beside a Shift-JIS one write nothing either."""
    problems = rejected(store, [*BASE, ENCODINGS / "shift_jis" / "units.csv"])
    assert len(problems) == 1 and "编码" in problems[0].message
    assert not {"Area", "Org", "Unit"} & set(counts(store)[0])


def test_a_long_file_is_detected_on_its_start_and_decoded_whole() -> None:
    """Past the detector's sample the file is still decoded strictly: a GB18030 file whose end is
    not GB18030 is refused, and a clean one reads back exactly."""
    text = "id,name,address\n" + "".join(
        f"U-{i},春城区第{i}人民医院,祥源街道人民路{i}号\n" for i in range(20000)
    )
    data = text.encode("gb18030")
    assert len(data) > SAMPLE
    assert decode_csv(data) == text
    with pytest.raises(UnclearEncoding, match="GB18030"):
        decode_csv(data + b"U-x,\xff\xff\n")
