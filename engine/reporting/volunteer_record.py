"""志愿服务记录证明 (民政部令第67号《志愿服务记录与证明出具办法》) as a Word document: the
volunteer (name, masked number and phone), the organisations it belongs to, each confirmed
activity with its organiser, date, times and hours, the total, and the issuing organisation."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from engine.services.clock import parse
from graph_schema.validation import BEIJING

FONT = "宋体"
HEAD = ("序号", "服务日期", "志愿服务活动", "组织单位", "签到", "签退", "服务时长(小时)")


def _local(at: str | None, fmt: str) -> str:
    return parse(at).astimezone(BEIJING).strftime(fmt) if at else "—"


def record_rows(record: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The table's rows: one per confirmed activity, Beijing dates and times."""
    return [
        (
            i,
            _local(a["checkin_at"], "%Y-%m-%d"),
            a["title"] + ("(已更正)" if a.get("corrected") else ""),
            a["org_name"],
            _local(a["checkin_at"], "%H:%M"),
            _local(a.get("checkout_at"), "%H:%M"),
            f"{a['hours']:g}",
        )
        for i, a in enumerate(record["activities"], start=1)
    ]


def render_record_docx(record: dict[str, Any]) -> bytes:
    """The certificate as .docx bytes."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    heading = doc.add_heading("志愿服务记录证明", level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    orgs = "、".join(record["orgs"]) or "—"
    doc.add_paragraph(
        f"兹证明 {record['name']}(编号 {record['member_id_masked']},"
        f"手机号 {record['phone_masked'] or '—'},所在党组织:{orgs})"
        f"于 {record['period_label']} 期间参加志愿服务 {record['count']} 次,"
        f"经组织单位确认的志愿服务时长累计 {record['total_hours']:g} 小时。具体记录如下:"
    )
    table = doc.add_table(rows=1, cols=len(HEAD))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEAD, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in record_rows(record):
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = str(value)
    doc.add_paragraph()
    doc.add_paragraph(
        "本证明依据《志愿服务记录与证明出具办法》(民政部令第67号)出具,所列时长均由活动组织单位"
        "根据签到、签退记录确认;到场时间不足活动时长六成的记录已按实际时长计。"
    )
    sign = doc.add_paragraph(
        f"出具单位:{record['issuer']}\n出具日期:{_local(record['issued_at'], '%Y年%m月%d日')}"
    )
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
