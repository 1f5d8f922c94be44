"""What an import found and did: problems located by file, sheet, row and column, and counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.importing.kinds import KIND_BY_NAME
from engine.store.errors import StoreError
from graph_schema.domain import SCHEMA

RENDER_LIMIT = 200  # problems listed by render_zh; the rest are counted


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem, where a spreadsheet user finds it: row 1 is the header, data starts at row 2.

    ``row`` 0 means the whole file; ``column`` is the header text as written in the file.
    """

    file: str
    row: int
    column: str
    message: str
    sheet: str = ""

    @classmethod
    def at(cls, file: str, row: int, column: str, text: str, sheet: str = "") -> ImportProblem:
        """A problem whose message starts with its row and column, e.g. 第 7 行“手机号”列:…."""
        where = (f"第 {row} 行" + ("(表头)" if row == 1 else "")) if row else ""
        where += f"“{column}”列" if column else ""
        return cls(file, row, column, f"{where}:{text}" if where else text, sheet)

    @property
    def source(self) -> str:
        """The file, and the sheet of a workbook."""
        return self.file + (f" 工作表“{self.sheet}”" if self.sheet else "")


@dataclass
class ImportReport:
    """The outcome of ``import_files``: the problems found, or what was written per kind."""

    files: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # kind -> rows read
    upserted: dict[str, int] = field(default_factory=dict)  # kind -> nodes written
    created: dict[str, int] = field(default_factory=dict)  # kind -> of which new
    relationships: dict[str, int] = field(default_factory=dict)  # relationship type -> merged

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def render_zh(self) -> str:
        """A readable multi-line Chinese report for the command line."""
        lines = [f"导入文件:{'、'.join(self.files) or '无'}"]
        if self.problems:
            lines.append(f"发现 {len(self.problems)} 个问题,未写入任何数据:")
            source = None
            for p in self.problems[:RENDER_LIMIT]:
                if p.source != source:
                    source = p.source
                    lines.append(f"{source}:")
                lines.append(f"  {p.message}")
            if len(self.problems) > RENDER_LIMIT:
                lines.append(f"  ……另有 {len(self.problems) - RENDER_LIMIT} 个问题未列出")
            return "\n".join(lines)
        lines.append("导入成功:")
        for kind, n in self.upserted.items():
            new = self.created.get(kind, 0)
            title = KIND_BY_NAME[kind].title_zh
            lines.append(f"  {title}({kind}):{n} 条,其中新增 {new} 条、更新 {n - new} 条")
        for rel, n in self.relationships.items():
            lines.append(f"  关系 {SCHEMA.rel(rel).title_zh}({rel}):{n} 条")
        return "\n".join(lines)


class ImportRejected(Exception):
    """The files have problems; nothing was written. ``report.problems`` lists them."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"导入被拒绝:发现 {len(report.problems)} 个问题,未写入任何数据")
        self.report = report


class ImportFailed(StoreError):
    """The database failed while writing; the nodes this import had created were removed again."""
