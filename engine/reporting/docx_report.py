"""述职报告 as a Word document (python-docx): headline figures, child orgs side by side with the
rates figure, the months, the units that served most, and 一事一评."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from engine.reporting.common import (
    COMPARE_HEAD,
    MONTH_HEAD,
    SUMMARY_HEAD,
    UNIT_HEAD,
    compare_rows,
    month_rows,
    summary_rows,
    title,
    unit_rows,
)
from engine.reporting.figure import rates_figure

FONT = "宋体"


def _table(doc: Any, head: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)


def render_docx(report: dict[str, Any]) -> bytes:
    """The report as .docx bytes."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    doc.add_heading(title(report), level=0)
    period = report["period"]
    doc.add_paragraph(
        f"统计时段:{period['label']}(按需求发布时间,北京时间);范围:{report['org']['name']}及其下级党组织。"
    )
    doc.add_heading("一、总体情况", level=1)
    _table(doc, SUMMARY_HEAD, summary_rows(report))
    doc.add_heading("二、下级党组织对比", level=1)
    _table(
        doc,
        ("党组织", "层级", "需求", "响应率", "解决率", "满意率", "完成", "人次", "时长"),
        compare_rows(report),
    )
    doc.add_paragraph()
    doc.add_picture(io.BytesIO(rates_figure(report)), width=Cm(16))
    doc.add_paragraph("图:下级党组织的响应率、解决率、满意率(需求最多的前 12 个)。")
    doc.add_heading("三、月度情况", level=1)
    _table(doc, MONTH_HEAD, month_rows(report))
    doc.add_heading("四、服务较多的驻区单位", level=1)
    if report["top_units"]:
        _table(doc, UNIT_HEAD, unit_rows(report))
    else:
        doc.add_paragraph("本时段暂无单位服务记录。")
    doc.add_heading("五、一事一评", level=1)
    rated = [p for p in report["project_ratings"] if p["ratings"]]
    if rated:
        rows = [
            (
                p["title"],
                "、".join(f"{r['provider_name']} {'★' * r['stars']}" for r in p["ratings"]),
                p["average"],
            )
            for p in rated
        ]
        _table(doc, ("项目", "评价(服务方 星级)", "平均星级"), rows)
    else:
        doc.add_paragraph("本时段暂无评价。")
    doc.add_paragraph(
        f"注:本报告中 {COMPARE_HEAD[7]} 为已完成项目所服务需求的受益人数之和;服务时长为社区已确认的小时。"
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
