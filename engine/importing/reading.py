"""Read CSV and Excel (.xlsx) files into sheets of raw cells, one sheet per entity kind.

A CSV file is read as UTF-8 (with or without BOM) when it is valid UTF-8; otherwise its encoding
is detected (charset-normalizer) and accepted only when the detector clearly names GB18030/GBK
(Excel on a simplified-Chinese Windows) or Big5 (a traditional-Chinese one). Anything else is a
problem of the file, so the import writes nothing (a Big5 file read as GB18030 was once stored as
mojibake). Excel cells keep the types Excel gives (numbers, dates, booleans).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from charset_normalizer import from_bytes

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


# Encodings accepted from the detector (its codec names), by the family a user knows them as.
FAMILIES = {"gb18030": "GB18030/GBK", "gbk": "GB18030/GBK", "gb2312": "GB18030/GBK",
            "big5": "Big5", "cp950": "Big5", "big5hkscs": "Big5"}  # fmt: skip
TRIED_ZH = "已尝试 UTF-8(含或不含 BOM)、GB18030/GBK、Big5"
ASK_ZH = "请在 Excel 中“另存为”“CSV UTF-8(逗号分隔)”后重新导入"
# Names a user may recognise for what the detector saw instead (its codec names otherwise).
SEEN_ZH = {"utf_16": "UTF-16", "utf_32": "UTF-32", "cp932": "Shift-JIS(日文)", "shift_jis": "Shift-JIS(日文)",
           "shift_jis_2004": "Shift-JIS(日文)", "euc_jp": "EUC-JP(日文)", "cp949": "EUC-KR(韩文)",
           "euc_kr": "EUC-KR(韩文)", "cp1252": "Windows-1252(西文)", "cp1250": "Windows-1250(西文)",
           "latin_1": "ISO-8859-1(西文)"}  # fmt: skip
MAX_CHAOS = 0.1  # the detector's mess ratio of its best reading: above it, the text is not clean
MARGIN = 0.02  # a reading of another family this close to the best one leaves the choice open
SAMPLE = 1 << 18  # bytes the detector reads (whole lines); the whole file is then decoded strictly


class UnclearEncoding(ValueError):
    """A CSV file whose encoding is not one accepted, or not clearly one; the message is Chinese."""


def decode_csv(data: bytes) -> str:
    """The text of a CSV file (see the module doc); raises ``UnclearEncoding`` when no accepted
    encoding is clearly the file's."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError:
            raise UnclearEncoding(
                f"文件以 UTF-8 BOM 开头,内容却不是有效的 UTF-8({TRIED_ZH});{ASK_ZH}"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    cut = data.rfind(b"\n", 0, SAMPLE) + 1 if len(data) > SAMPLE else 0  # never inside a character
    matches = list(from_bytes(data[:cut] if cut else data))
    best = matches[0] if matches else None
    if best is None or best.encoding not in FAMILIES or best.chaos > MAX_CHAOS:
        seen = f"看起来是 {_name(best.encoding)};" if best is not None else ""
        raise UnclearEncoding(f"无法确定文件编码({seen}{TRIED_ZH});{ASK_ZH}")
    family = FAMILIES[best.encoding]
    rivals = [
        _name(m.encoding)
        for m in matches[1:]
        if FAMILIES.get(m.encoding) != family and m.chaos <= best.chaos + MARGIN
    ]
    if rivals:
        maybe = "、".join(dict.fromkeys(rivals))
        raise UnclearEncoding(f"无法确定文件编码(可能是 {family},也可能是 {maybe};{TRIED_ZH});{ASK_ZH}")
    try:
        return data.decode(best.encoding)
    except UnicodeDecodeError as exc:
        raise UnclearEncoding(
            f"文件前部是 {family} 编码,第 {exc.start} 字节起却不是({TRIED_ZH});{ASK_ZH}"
        ) from None


def _name(encoding: str) -> str:
    """A detector's codec name as a user may know it."""
    return FAMILIES.get(encoding) or SEEN_ZH.get(encoding, encoding)


def _read_csv(path: Path, kind: Kind | None, problems: list[ImportProblem]) -> list[Sheet]:
    if kind is None:
        problems.append(
            ImportProblem(path.name, 0, "", f"无法从文件名判断数据类型,请把文件命名为 {KINDS_HELP} 之一")
        )
        return []
    try:
        rows = list(csv.reader(io.StringIO(decode_csv(path.read_bytes()), newline="")))
    except UnclearEncoding as exc:
        problems.append(ImportProblem(path.name, 0, "", str(exc)))
        return []
    except (OSError, csv.Error) as exc:
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
