"""Rendering of period reports (述职报告) as Word and Excel files with a figure; pure: a report's
dict in, file bytes out (no store, no HTTP)."""

from engine.reporting.docx_report import render_docx
from engine.reporting.xlsx_report import render_xlsx

__all__ = ["render_docx", "render_xlsx"]
