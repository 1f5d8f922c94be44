"""The planner's console pages end to end in headless Chromium over the `tiny` demo: coverage
figures as the API reports them, the map to scale, the relationship graph, the path between two
entities, a refusal outside the street in plain words, and the same pages at phone width."""

from __future__ import annotations

import math
from typing import Any

import pytest
from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import browser_fixture, fits_phone, needs_chromium, page_for, scope_ids, shot  # noqa: F401

KM_PER_DEG = 111.32
expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = needs_chromium


def pct(rate: float | None) -> str:
    """A rate as the console writes it (ui.js ``pct``: one decimal, no trailing zero)."""
    if rate is None:
        return "—"
    return f"{repr(math.floor(rate * 1000 + 0.5) / 10).removesuffix('.0')}%"


def neighbours(api: ApiWorld, entity: str, hops: int, max_nodes: int) -> dict[str, Any]:
    """The planner's neighbourhood answer for ``entity``."""
    params = {"hops": hops, "max_nodes": max_nodes}
    answer = api.client("planner").get(f"/analytics/entities/{entity}/neighbourhood", params=params)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def connected_pair(api: ApiWorld, org: str) -> tuple[str, str, list[dict[str, Any]]]:
    """A unit of the street and an org it reaches in two steps or more, with the API's paths."""
    hood = neighbours(api, org, 2, 150)
    units = sorted(n["node"]["id"] for n in hood["nodes"] if n["node"]["label"] == "Unit")
    orgs = sorted(n["node"]["id"] for n in hood["nodes"] if n["node"]["label"] == "Org" and n["hops"] == 1)
    for unit in units:
        for other in orgs:
            paths = api.client("planner").get("/analytics/paths", params={"a": unit, "b": other}).json()
            if paths and paths[0]["length"] >= 2:
                return unit, other, paths
    raise AssertionError("no unit of the street is two steps from one of its orgs")


def check_coverage(page: Any, cov: dict[str, Any]) -> None:
    """The dashboard's coverage figures, table and blank areas are the API's."""
    reports = {
        k: cov["areas"]["shares"][k] for k in ("grid", "compound", "building") if k in cov["areas"]["shares"]
    }
    reports |= {
        "two_new": cov["two_new"],
        "reporting": cov["reporting"],
        "unit_reporting": cov["unit_reporting"],
    }
    assert page.locator("#coverage .rate").count() == len(reports)
    for key, rep in reports.items():
        card = page.locator(f'#coverage .rate[data-key="{key}"]')
        assert rep["title"] in card.inner_text()
        assert card.locator(".value").inner_text() == pct(rep["overall"]["rate"])
        assert f"{rep['overall']['hits']}/{rep['overall']['total']}" in card.locator(".hint").inner_text()
        if key in cov["areas"]["uncovered"]:
            assert f"{len(cov['areas']['uncovered'][key])} 个空白" in card.inner_text()
    rows = page.locator("#coverage-by-community tbody tr")
    names = {r["area_name"] for rep in reports.values() for r in rep["by_community"]}
    assert rows.count() == len(names) > 0
    for rep in reports.values():
        for r in rep["by_community"]:
            row = rows.filter(has_text=r["area_name"]).inner_text()
            assert f"{pct(r['share']['rate'])}({r['share']['hits']}/{r['share']['total']})" in row
    blanks = sum(len(v) for v in cov["areas"]["uncovered"].values())
    if blanks:
        assert f"({blanks} 个)" in page.locator("#blank-areas summary").inner_text()


def check_map_to_scale(page: Any) -> None:
    """A km east is as long on screen as a km north (cos of the mean latitude), and the scale bar
    is a round number of km as long as the points say a km is."""
    pts = page.evaluate(
        """() => [...document.querySelectorAll('svg.map .point')].map((e) => {
             const b = e.getBBox();
             return { lat: +e.dataset.lat, lon: +e.dataset.lon, x: b.x + b.width / 2, y: b.y + b.height / 2 };
           })"""
    )
    assert len(pts) >= 3
    k = math.cos(math.radians(sum(p["lat"] for p in pts) / len(pts)))
    west, east = min(pts, key=lambda p: p["lon"]), max(pts, key=lambda p: p["lon"])
    north, south = max(pts, key=lambda p: p["lat"]), min(pts, key=lambda p: p["lat"])
    px_per_km_x = (east["x"] - west["x"]) / ((east["lon"] - west["lon"]) * KM_PER_DEG * k)
    px_per_km_y = (south["y"] - north["y"]) / ((north["lat"] - south["lat"]) * KM_PER_DEG)
    assert px_per_km_x == pytest.approx(px_per_km_y, rel=0.02), "the map is stretched"
    bar = page.locator("svg.map .scale-bar")
    km = float(bar.get_attribute("data-km") or "nan")
    mantissa = km / 10 ** math.floor(math.log10(km))
    assert round(mantissa, 6) in (1, 2, 5), f"scale bar of {km} km is not a round number"
    width = page.evaluate("document.querySelector('svg.map .scale-bar path').getBBox().width")
    assert width == pytest.approx(km * px_per_km_x, rel=0.02)
    assert f"{km:g} 公里" in (bar.text_content() or "")
    assert (page.locator("svg.map .north").text_content() or "").strip() == "北"


def test_planner_coverage_map_graph_and_paths(browser: Any, api: ApiWorld) -> None:
    """Dashboard figures equal the API's; the map is to scale; the explorer draws one mark per
    neighbour and a mark leads onwards; the path page shows and draws the API's paths; an entity
    outside the street is refused in plain words."""
    planner = page_for(browser, api, "planner")
    org = api.client("planner").get("/auth/me").json()["scope_org_id"]
    planner.locator("#coverage").wait_for()
    check_coverage(planner, api.client("planner").get(f"/analytics/orgs/{org}/coverage").json())
    check_map_to_scale(planner)
    shot(planner, "planner-dashboard-coverage")

    planner.get_by_role("link", name="关系浏览", exact=False).click()
    graph = planner.locator("svg.graph")
    graph.wait_for()
    hood = neighbours(api, org, 1, 200)
    around = {n["node"]["id"]: n["node"] for n in hood["nodes"] if n["hops"] > 0}
    drawn = planner.locator("svg.graph a.node")
    assert drawn.count() == len(around)
    assert {drawn.nth(i).get_attribute("data-id") for i in range(drawn.count())} == set(around)
    assert planner.locator(".graph-legend li").count() == len({n["label"] for n in around.values()})
    assert hood["centre"]["name"] in (graph.get_attribute("aria-label") or "")
    assert f"{len(around)} 个直接相连" in graph.locator("desc").text_content()
    assert planner.locator("#ties tbody tr").count() == len(hood["ties"])
    shot(planner, "planner-explorer-graph")

    planner.get_by_role("link", name="两层关系").click()
    planner.locator('nav.jump strong:has-text("两层关系")').wait_for()
    far = neighbours(api, org, 2, 150)
    assert planner.locator("svg.graph a.node").count() == len(far["nodes"]) - 1
    assert planner.locator("#truncated").count() == int(far["truncated"])
    shot(planner, "planner-explorer-two-hops")

    onward = sorted(i for i, n in around.items() if n["label"] == "Org")[0]
    planner.goto(f"{api.url}/console/#/explore/{org}")
    planner.locator('nav.jump strong:has-text("直接关系")').wait_for()
    mark = planner.locator(f'svg.graph a.node[data-id="{onward}"] circle')
    mark.hover()  # pointing at an entity brings out its ties: one line per entity it is tied to
    tied = {
        t["start"] if t["end"] == onward else t["end"]
        for t in hood["ties"]
        if onward in (t["start"], t["end"])
    }
    assert planner.locator("svg.graph.lit .tie.on").count() == len(tied - {onward}) > 0
    mark.click()
    planner.get_by_role("heading", name=f"关系浏览:{around[onward]['name']}").wait_for()
    assert planner.locator("svg.graph g.centre").get_attribute("data-id") == onward

    unit, other, paths = connected_pair(api, org)
    planner.goto(f"{api.url}/console/#/explore/{unit}")
    planner.get_by_role("heading", name=f"关系浏览:{paths[0]['start']['name']}").wait_for()
    planner.get_by_role("button", name="设为起点").click()
    planner.goto(f"{api.url}/console/#/explore/{other}")
    planner.get_by_role("heading", name=f"关系浏览:{paths[0]['steps'][-1]['to']['name']}").wait_for()
    planner.get_by_role("button", name="设为终点").click()
    planner.get_by_role("link", name="查看两者之间的关系路径").click()
    planner.locator("#paths .path").first.wait_for()
    sections = planner.locator("#paths .path")
    assert sections.count() == len(paths)
    for i, path in enumerate(paths):
        assert sections.nth(i).locator(".path-words").inner_text() == path["text"].strip()
        assert sections.nth(i).locator("svg.chain a.node").count() == len(path["steps"]) + 1
    form = planner.get_by_role("form", name="查找关系路径")
    assert (
        form.get_by_label("起点 *").input_value() == unit
        and form.get_by_label("终点 *").input_value() == other
    )
    shot(planner, "planner-path")

    form.get_by_label("终点 *").select_option(org)  # the picker: the street's own org as the end
    form.get_by_role("button", name="查找路径").click()
    planner.wait_for_url(f"**/#/paths/{unit}/{org}")
    to_street = api.client("planner").get("/analytics/paths", params={"a": unit, "b": org}).json()
    expect(planner.locator("#paths .path-words").first).to_have_text(to_street[0]["text"].strip())

    mine = scope_ids(api, "planner")
    outside = sorted(o["id"] for o in api.dataset.nodes["Org"] if o["id"] not in mine)[0]
    refused = api.client("planner").get("/analytics/paths", params={"a": unit, "b": outside})
    assert refused.status_code == 403
    planner.goto(f"{api.url}/console/#/paths/{unit}/{outside}")
    alert = planner.locator("#paths .msg.error")
    alert.wait_for()
    assert refused.json()["message"] in alert.inner_text() and "没有权限" in alert.inner_text()
    assert "forbidden" not in alert.inner_text() and planner.locator("svg.chain").count() == 0
    shot(planner, "planner-path-outside-street")


def test_planner_pages_fit_a_phone(browser: Any, api: ApiWorld) -> None:
    """The dashboard, the explorer (1 and 2 hops) and the path page at 390×844: nothing scrolls sideways."""
    phone = page_for(browser, api, "planner", phone=True)
    org = api.client("planner").get("/auth/me").json()["scope_org_id"]
    unit, other, _ = connected_pair(api, org)
    pages = [
        ("", "#coverage", "dashboard"),
        (f"#/explore/{org}", "svg.graph", "explorer"),
        (f"#/explore/{org}/2", "svg.graph a.node[data-hops='2']", "explorer-two-hops"),
        (f"#/paths/{unit}/{other}", "svg.chain", "path"),
    ]
    for hash_, ready, name in pages:
        if hash_:
            phone.goto(f"{api.url}/console/{hash_}")
        phone.locator(ready).first.wait_for()
        fits_phone(phone)
        box = phone.locator(ready).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        shot(phone, f"planner-phone-{name}")
