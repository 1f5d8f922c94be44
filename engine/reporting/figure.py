"""The report's figure: the three rates per child org as grouped bars (matplotlib, PNG), drawn
with a CJK font so that org names show; no pyplot, so it is safe in the server's threads."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

CJK_FAMILIES = (  # in order of preference; the notebooks' figures use the same search (planner_plots)
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Noto Sans CJK JP",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
RATES = (
    ("response", "响应率", "#c0392b"),
    ("resolution", "解决率", "#2980b9"),
    ("satisfaction", "满意率", "#27ae60"),
)
MAX_BARS = 12  # more child orgs than this: the ones with the most needs


@cache
def cjk_family() -> str | None:
    """An installed CJK font family (font files matplotlib has not indexed are added), or None."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    family = next((f for f in CJK_FAMILIES if f in known), None)
    if family is None:
        for folder in FONT_DIRS:
            for path in Path(folder).rglob("*") if Path(folder).is_dir() else ():
                if path.suffix.lower() in (".ttc", ".ttf", ".otf") and any(
                    key in path.name.lower() for key in ("wqy", "cjk", "sourcehan", "simhei")
                ):
                    font_manager.fontManager.addfont(str(path))
        known = {f.name for f in font_manager.fontManager.ttflist}
        family = next((f for f in CJK_FAMILIES if f in known), None)
    return family


def _short(name: str) -> str:
    text = name.removeprefix("中共").removesuffix("委员会").removesuffix("支部")
    return text if len(text) <= 8 else text[:7] + "…"


def rates_figure(report: dict[str, Any]) -> bytes:
    """PNG of the three rates (in %) per child org of ``report`` (or of the org itself without any)."""
    rows = [c for c in report["children"] if c["needs"]] or []
    rows = sorted(rows, key=lambda c: -c["needs"])[:MAX_BARS]
    if not rows:
        rows = [{"name": report["org"]["name"], **report["total"]}]
    family = cjk_family()
    font = font_manager.FontProperties(family=family) if family else None
    fig = Figure(figsize=(7.5, 3.8), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    width = 0.8 / len(RATES)
    for i, (key, label, colour) in enumerate(RATES):
        values = [100 * (c[key]["rate"] or 0) for c in rows]
        xs = [x + (i - 1) * width for x in range(len(rows))]
        ax.bar(xs, values, width, label=label, color=colour)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(
        [_short(c["name"]) for c in rows], fontproperties=font, rotation=20 if len(rows) > 4 else 0
    )
    ax.set_ylim(0, 120)
    ax.set_ylabel("%", fontproperties=font)
    ax.set_title(f"{report['period']['label']} 下级组织三率对比", fontproperties=font)
    ax.legend(prop=font, loc="upper center", ncols=3, fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
