"""What both report files say the same way: titles, rates as percentages, the tables' rows."""

from __future__ import annotations

from typing import Any


def percent(rate: float | None) -> str:
    """A rate as 87.5%, or — when there is no denominator."""
    return "—" if rate is None else f"{100 * rate:.1f}%"


def title(report: dict[str, Any]) -> str:
    """The report's title: the org and the period."""
    return f"{report['org']['name']} {report['period']['label']}述职报告"


SUMMARY_HEAD = ("指标", "数值", "说明")


def summary_rows(report: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """The headline figures of the whole subtree for the period, one row each."""
    t = report["total"]
    two_way = report.get("two_way_service")  # 双向服务: units' own needs (issue 12)
    extra = (
        [("双向服务", two_way["needs"], f"驻区单位向本级及下级提出的需求,已解决 {two_way['resolved']} 项")]
        if two_way
        else []
    )
    return [
        ("需求数", t["needs"], "时段内本级及下级发布的需求(含已取消)"),
        (
            "响应率",
            percent(t["response"]["rate"]),
            f"{t['response']['responded']}/{t['response']['needs']},"
            f"{t['response']['within_hours']:g} 小时内认领",
        ),
        (
            "解决率",
            percent(t["resolution"]["rate"]),
            f"{t['resolution']['resolved']}/{t['resolution']['needs']}",
        ),
        (
            "满意率",
            percent(t["satisfaction"]["rate"]),
            f"{t['satisfaction']['satisfied']}/{t['satisfaction']['ratings']} 条评价为 4–5 星",
        ),
        ("完成项目数", t["projects_completed"], f"共 {t['projects']} 个项目"),
        ("服务人次", t["people_served"], "已完成项目所服务需求的受益人数之和"),
        ("服务时长(小时)", t["hours"], "社区已确认的服务小时"),
        *extra,
    ]


COMPARE_HEAD = ("党组织", "层级", "需求数", "响应率", "解决率", "满意率", "完成项目", "服务人次", "服务时长")


def compare_rows(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One row per child org (then 本级 and 合计): counts and the three rates side by side."""

    def row(name: str, level: str, f: dict[str, Any]) -> tuple[Any, ...]:
        return (
            name,
            level,
            f["needs"],
            percent(f["response"]["rate"]),
            percent(f["resolution"]["rate"]),
            percent(f["satisfaction"]["rate"]),
            f["projects_completed"],
            f["people_served"],
            f["hours"],
        )

    rows = [row(c["name"], c["level_zh"], c) for c in report["children"]]
    return [*rows, row("本级直接发布", "", report["own"]), row("合计", "", report["total"])]


MONTH_HEAD = ("月份", "需求数", "响应率", "解决率", "满意率", "完成项目", "服务时长")


def month_rows(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One row per month of the period."""
    return [
        (
            m["label"],
            m["needs"],
            percent(m["response"]["rate"]),
            percent(m["resolution"]["rate"]),
            percent(m["satisfaction"]["rate"]),
            m["projects_completed"],
            m["hours"],
        )
        for m in report["months"]
    ]


UNIT_HEAD = ("单位", "服务时长(小时)", "参与项目", "完成项目")


def unit_rows(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The units that served most."""
    return [(u["name"], u["hours"], u["projects"], u["completed"]) for u in report["top_units"]]
