"""Directory reads over HTTP show every tie the graph holds: a unit's own party orgs (EMBEDDED_IN)
and areas (LOCATED_IN), a member's posts (HOLDS), 三缘 branches (JOINS) and the community it
reports to (REPORTS_TO), compared with the relationships of the generated demo."""

from __future__ import annotations

from collections import defaultdict

from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")


def _ties(api: ApiWorld, key: tuple[str, str, str], *, reverse: bool = False) -> dict[str, set[str]]:
    """For one relationship key of the dataset: node id -> the ids at the other end."""
    out: dict[str, set[str]] = defaultdict(set)
    for rel in api.dataset.rels.get(key, []):
        a, b = (rel["end"], rel["start"]) if reverse else (rel["start"], rel["end"])
        out[a].add(b)
    return out


def _ids(refs: list[dict[str, str]]) -> set[str]:
    return {r["id"] for r in refs}


def test_unit_detail_lists_its_own_orgs_areas_and_reports(api: ApiWorld) -> None:
    """Every unit with an embedded org or an area shows them in ``GET /units/{id}``, as generated."""
    own = _ties(api, ("EMBEDDED_IN", "Org", "Unit"), reverse=True)
    areas = _ties(api, ("LOCATED_IN", "Unit", "Area"))
    reports = _ties(api, ("REPORTS_TO", "Unit", "Org"))
    assert own and areas and reports, "the demo has no such ties: the test would prove nothing"
    admin = api.client("admin")
    for unit in sorted(set(own) | set(areas))[:40]:
        got = admin.get(f"/units/{unit}")
        assert got.status_code == 200, got.text
        body = got.json()
        assert _ids(body["own_orgs"]) == own.get(unit, set()), unit
        assert _ids(body["areas"]) == areas.get(unit, set()), unit
        assert _ids(body["reports_to"]) == reports.get(unit, set()), unit
    with_org = sorted(own)[0]
    assert admin.get(f"/units/{with_org}").json()["own_orgs"], "a unit with its own org shows none"


def test_member_detail_lists_posts_branches_and_reports(api: ApiWorld) -> None:
    """Members that hold posts, join 三缘 branches or report to a community show them in
    ``GET /members/{id}``, with the post's role, as generated."""
    holds: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for rel in api.dataset.rels.get(("HOLDS", "Member", "Org"), []):
        holds[rel["start"]].add((rel["end"], rel["props"]["role"]))
    joins = _ties(api, ("JOINS", "Member", "Org"))
    reports = _ties(api, ("REPORTS_TO", "Member", "Org"))
    belongs = _ties(api, ("BELONGS_TO", "Member", "Org"))
    assert holds and joins and reports, "the demo has no such ties: the test would prove nothing"
    picked = sorted(holds)[:15] + sorted(joins)[:15] + sorted(reports)[:15]
    admin = api.client("admin")
    for member in dict.fromkeys(picked):
        got = admin.get(f"/members/{member}")
        assert got.status_code == 200, got.text
        body = got.json()
        assert {(h["id"], h["role"]) for h in body["holds"]} == holds.get(member, set()), member
        assert _ids(body["joins"]) == joins.get(member, set()), member
        assert _ids(body["reports_to"]) == reports.get(member, set()), member
        assert _ids(body["belongs_to"]) == belongs.get(member, set()), member


def test_community_roll_lists_each_members_ties(api: ApiWorld) -> None:
    """The roll ``GET /orgs/{id}/members`` shares the member read: each row's ties are as generated."""
    joins = _ties(api, ("JOINS", "Member", "Org"))
    reports = _ties(api, ("REPORTS_TO", "Member", "Org"))
    holds = _ties(api, ("HOLDS", "Member", "Org"))
    community = api.accounts["secretary"]["scope_org_id"]
    rows = api.client("admin").get(f"/orgs/{community}/members", params={"limit": 500})
    assert rows.status_code == 200, rows.text
    roll = rows.json()
    for tie in ("joins", "reports_to", "holds"):
        assert any(r[tie] for r in roll), f"no member of the roll has {tie}: the test would prove nothing"
    for row in roll:
        assert _ids(row["joins"]) == joins.get(row["id"], set()), row["id"]
        assert _ids(row["reports_to"]) == reports.get(row["id"], set()), row["id"]
        assert _ids(row["holds"]) == holds.get(row["id"], set()), row["id"]
