"""述职报告 as an Excel workbook (openpyxl): one sheet each for the headline figures (with the rates
figure), the child orgs side by side, the months and the units that served most. Counts are
numbers, rates are numbers formatted as percentages, so a planner can compute with them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from engine.reporting.common import COMPARE_HEAD, MONTH_HEAD, UNIT_HEAD, title, unit_rows
from engine.reporting.figure import rates_figure
from engine.spreadsheet import formula_safe

PERCENT = "0.0%"


def _append(ws: Worksheet, row: Sequence[Any]) -> None:
    """Append ``row`` with its text cells made safe from formula injection (names come from users)."""
    ws.append([formula_safe(v) for v in row])


def _sheet(
    ws: Worksheet, head: Sequence[str], rows: Sequence[Sequence[Any]], percent_cols: Sequence[int]
) -> None:
    _append(ws, head)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        _append(ws, row)
        for col in percent_cols:
            ws.cell(ws.max_row, col + 1).number_format = PERCENT
    for i, _ in enumerate(head):
        ws.column_dimensions[chr(ord("A") + i)].width = 14 if i else 28


def _rates(f: dict[str, Any]) -> tuple[Any, Any, Any]:
    return f["response"]["rate"], f["resolution"]["rate"], f["satisfaction"]["rate"]


def render_xlsx(report: dict[str, Any]) -> bytes:
    """The report as .xlsx bytes."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "总体情况"
    _append(ws, [title(report)])
    ws["A1"].font = Font(bold=True, size=14)
    _append(ws, ["统计时段", report["period"]["label"], report["period"]["start"], report["period"]["end"]])
    t = report["total"]
    rows = [
        ("需求数", t["needs"]),
        ("响应率", t["response"]["rate"]),
        ("解决率", t["resolution"]["rate"]),
        ("满意率", t["satisfaction"]["rate"]),
        ("完成项目数", t["projects_completed"]),
        ("服务人次", t["people_served"]),
        ("服务时长(小时)", t["hours"]),
    ]
    _sheet(ws, ("指标", "数值"), rows, ())
    for r in range(ws.max_row - len(rows) + 2, ws.max_row - len(rows) + 5):
        ws.cell(r, 2).number_format = PERCENT
    ws.add_image(Image(io.BytesIO(rates_figure(report))), "D4")

    compare = wb.create_sheet("下级组织对比")
    crows = [
        (
            c["name"],
            c["level_zh"],
            c["needs"],
            *_rates(c),
            c["projects_completed"],
            c["people_served"],
            c["hours"],
        )
        for c in report["children"]
    ]
    crows.append(
        (
            "本级直接发布",
            "",
            report["own"]["needs"],
            *_rates(report["own"]),
            report["own"]["projects_completed"],
            report["own"]["people_served"],
            report["own"]["hours"],
        )
    )
    crows.append(
        ("合计", "", t["needs"], *_rates(t), t["projects_completed"], t["people_served"], t["hours"])
    )
    _sheet(compare, COMPARE_HEAD, crows, (3, 4, 5))

    months = wb.create_sheet("月度情况")
    mrows = [
        (m["label"], m["needs"], *_rates(m), m["projects_completed"], m["hours"]) for m in report["months"]
    ]
    _sheet(months, MONTH_HEAD, mrows, (2, 3, 4))

    units = wb.create_sheet("服务单位")
    _sheet(units, UNIT_HEAD, unit_rows(report), ())
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
