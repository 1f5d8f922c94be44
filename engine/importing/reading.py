"""Read CSV and Excel (.xlsx) files into sheets of raw cells, one sheet per entity kind.

CSV is read as UTF-8 (with or without BOM) or, failing that, GB18030 (what Excel on a Chinese
Windows saves). Excel cells keep the types Excel gives (numbers, dates, booleans).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

from engine.importing.kinds import KINDS, Kind, find_kind
from engine.importing.report import ImportProblem

KINDS_HELP = "、".join(f"{k.name}/{k.title_zh}" for k in KINDS)


@dataclass
class Sheet:
    """One table of one kind: header texts as written and data rows with their spreadsheet row numbers."""

    file: str
    sheet: str
    kind: Kind
    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)

    def problem(self, row: int, column: str, message: str) -> ImportProblem:
        """A problem located in this sheet."""
        return ImportProblem.at(self.file, row, column, message, self.sheet)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _table(rows: Sequence[Sequence[Any]]) -> tuple[list[str], list[tuple[int, list[Any]]]] | None:
    """Header and non-blank data rows (numbered from 2) of a table; None when it has no header."""
    if not rows or all(_blank(v) for v in rows[0]):
        return None
    headers = ["" if v is None else str(v).replace("\ufeff", "").strip() for v in rows[0]]
    body = [(i, list(r)) for i, r in enumerate(rows[1:], start=2) if not all(_blank(v) for v in r)]
    return headers, body


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_csv(path: Path, kind: Kind | None, problems: list[ImportProblem]) -> list[Sheet]:
    if kind is None:
        problems.append(
            ImportProblem(path.name, 0, "", f"无法从文件名判断数据类型,请把文件命名为 {KINDS_HELP} 之一")
        )
        return []
    try:
        rows = list(csv.reader(io.StringIO(_decode(path.read_bytes()), newline="")))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        problems.append(ImportProblem(path.name, 0, "", f"无法读取文件:{exc}"))
        return []
    table = _table(rows)
    if table is None:
        problems.append(ImportProblem(path.name, 0, "", "文件是空的,没有表头"))
        return []
    return [Sheet(path.name, "", kind, *table)]


def _read_xlsx(path: Path, kind: Kind | None, problems: list[ImportProblem]) -> list[Sheet]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        problems.append(ImportProblem(path.name, 0, "", f"无法读取 Excel 文件:{exc}"))
        return []
    sheets: list[Sheet] = []
    problems_before = len(problems)
    try:
        for ws in book.worksheets:
            table = _table([tuple(r) for r in ws.iter_rows(values_only=True)])
            if table is None:
                continue  # an empty sheet, such as Excel's default Sheet2
            sheet_kind = kind or find_kind(ws.title) or find_kind(path.stem)
            if sheet_kind is None:
                problems.append(
                    ImportProblem(
                        path.name, 0, "", f"无法从工作表名判断数据类型,请命名为 {KINDS_HELP} 之一", ws.title
                    )
                )
                continue
            sheets.append(Sheet(path.name, ws.title, sheet_kind, *table))
    finally:
        book.close()
    if not sheets and len(problems) == problems_before:
        problems.append(ImportProblem(path.name, 0, "", "工作簿里没有数据"))
    return sheets


def read_inputs(files: Sequence[Path | tuple[Path, str]]) -> tuple[list[Sheet], list[ImportProblem]]:
    """Every sheet of ``files`` (a path, or a path with its kind given explicitly) and the problems met.

    A sheet's kind is the one given, else the one its sheet name (xlsx) or file name says.
    """
    sheets: list[Sheet] = []
    problems: list[ImportProblem] = []
    for item in files:
        path, given = item if isinstance(item, tuple) else (item, None)
        kind = find_kind(given) if given else None
        if given and kind is None:
            problems.append(
                ImportProblem(path.name, 0, "", f"未知的数据类型“{given}”,应为 {KINDS_HELP} 之一")
            )
            continue
        suffix = path.suffix.lower()
        if suffix == ".csv":
            sheets += _read_csv(path, kind or find_kind(path.stem), problems)
        elif suffix in (".xlsx", ".xlsm"):
            sheets += _read_xlsx(path, kind, problems)
        else:
            problems.append(
                ImportProblem(path.name, 0, "", f"不支持的文件格式“{suffix}”,请使用 .csv 或 .xlsx")
            )
    return sheets, problems
