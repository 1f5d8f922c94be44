"""The demo generator: deterministic, on target, valid against the schema, and shaped like a real district."""

from __future__ import annotations

import ast
import hashlib
import os
import subprocess
import sys
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest

from engine.demo import SIZES, TARGET_FIELDS, DemoDataset, generate
from graph_schema.domain import TWO_NEW_UNIT_TYPES, UNIT_TYPES
from graph_schema.taxonomy import CATEGORY_BY_ID
from graph_schema.validation import validate_node, validate_relationship

ROOT = Path(__file__).resolve().parents[1]


@cache
def dataset(size: str, seed: int = 2026) -> DemoDataset:
    """Each dataset is generated once per test session (the district takes about a second)."""
    return generate(size, seed)


def measured(ds: DemoDataset) -> dict[str, int]:
    """The SIZES fields as counted in the dataset itself."""
    levels = Counter(a["level"] for a in ds.nodes["Area"])
    return {
        "streets": levels["street"],
        "communities": levels["community"],
        "units": len(ds.nodes["Unit"]),
        "members": len(ds.nodes["Member"]),
        "needs": len(ds.nodes["Need"]),
        "offerings": len(ds.nodes["Offering"]),
    }


def rows(ds: DemoDataset, rel: str, start: str, end: str) -> list[dict]:
    return ds.rels.get((rel, start, end), [])


def test_same_seed_gives_the_same_bytes() -> None:
    assert generate("tiny", 7).to_json() == generate("tiny", 7).to_json()
    assert generate("district").to_json() == dataset("district").to_json()


def test_different_seeds_give_different_districts() -> None:
    a, b = generate("tiny", 1), generate("tiny", 2)
    assert a.to_json() != b.to_json()
    assert {m["name"] for m in a.nodes["Member"]} != {m["name"] for m in b.nodes["Member"]}


def test_output_does_not_depend_on_hash_randomisation() -> None:
    """Set or dict-of-set ordering would leak through PYTHONHASHSEED: two interpreters must agree."""
    code = (
        "import hashlib; from engine.demo import generate; "
        "print(hashlib.sha256(generate('tiny', 11).to_json().encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    digests.add(hashlib.sha256(generate("tiny", 11).to_json().encode()).hexdigest())
    assert len(digests) == 1


@pytest.mark.parametrize("size", ["tiny", "district", pytest.param("city", marks=pytest.mark.slow)])
def test_counts_are_within_five_percent_of_the_targets(size: str) -> None:
    got = measured(dataset(size))
    for field, target in SIZES[size].targets().items():
        assert abs(got[field] - target) <= 0.05 * target, (field, got[field], target)
    assert set(got) == set(TARGET_FIELDS)


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown demo size"):
        generate("galaxy")


@pytest.mark.parametrize("size", ["tiny", "district"])
def test_every_node_and_relationship_is_valid(size: str) -> None:
    ds = dataset(size)
    problems = []
    for label, nodes in ds.nodes.items():
        for node in nodes:
            problems += [(label, node["id"], p.message) for p in validate_node(label, node)]
    for (rel, start, end), links in ds.rels.items():
        for link in links:
            problems += [
                (rel, link["start"], p.message) for p in validate_relationship(rel, start, end, link["props"])
            ]
    assert problems == []


@pytest.mark.parametrize("size", ["tiny", "district"])
def test_ids_are_unique_and_every_endpoint_exists(size: str) -> None:
    ds = dataset(size)
    ids: dict[str, set[str]] = {}
    for label, nodes in ds.nodes.items():
        ids[label] = {n["id"] for n in nodes}
        assert len(ids[label]) == len(nodes), label
    for (rel, start, end), links in ds.rels.items():
        missing = [x for x in links if x["start"] not in ids[start] or x["end"] not in ids[end]]
        assert missing == [], (rel, start, end, missing[:3])


def test_no_relationship_is_written_twice() -> None:
    for key, links in dataset("district").rels.items():
        seen = Counter((x["start"], x["end"], x["props"].get("role")) for x in links)
        assert max(seen.values()) == 1, key


@pytest.mark.parametrize("size", ["tiny", "district"])
def test_coverage_gaps_exist_but_are_a_minority(size: str) -> None:
    ds = dataset(size)
    covered = {x["end"] for x in rows(ds, "COVERS", "Org", "Area")}
    for level, low, high in (("building", 0.04, 0.12), ("compound", 0.02, 0.10)):
        areas = [a["id"] for a in ds.nodes["Area"] if a["level"] == level]
        share = sum(a not in covered for a in areas) / len(areas)
        assert low <= share <= high, (level, share)
    upper = [a["id"] for a in ds.nodes["Area"] if a["level"] in ("street", "community", "grid")]
    assert all(a in covered for a in upper)


def test_org_hierarchy_runs_from_district_to_building_groups() -> None:
    ds = dataset("district")
    level = {o["id"]: o["level"] for o in ds.nodes["Org"]}
    parents: dict[str, list[str]] = defaultdict(list)
    for x in rows(ds, "LEADS", "Org", "Org"):
        parents[x["end"]].append(x["start"])
    assert [o for o in level if level[o] != "district" and len(parents[o]) != 1] == []
    chains = Counter((level[p[0]], level[o]) for o, p in parents.items())
    for pair in (
        ("district", "street"),
        ("street", "community"),
        ("community", "grid"),
        ("grid", "building"),
    ):
        assert chains[pair] > 0, pair
    kinds = Counter((o["level"], o["kind"]) for o in ds.nodes["Org"])
    assert kinds[("street", "big_council")] == SIZES["district"].streets
    assert kinds[("community", "big_council")] == SIZES["district"].communities


def test_the_showcase_community_has_fifteen_feature_branches_like_hualongqiao() -> None:
    ds = dataset("tiny")
    features = [o for o in ds.nodes["Org"] if o["kind"] == "feature" and o["id"].startswith("org-s01-c01-")]
    assert Counter(o["basis"] for o in features) == {"interest": 9, "occupational": 4, "territorial": 2}
    joined = {x["end"] for x in rows(ds, "JOINS", "Member", "Org")}
    assert {o["id"] for o in features} & joined


def test_members_have_one_affiliation_and_in_service_members_work_and_report() -> None:
    ds = dataset("district")
    members = ds.nodes["Member"]
    belongs = Counter(x["start"] for x in rows(ds, "BELONGS_TO", "Member", "Org"))
    assert all(belongs[m["id"]] == 1 for m in members)
    lives = Counter(x["start"] for x in rows(ds, "LIVES_IN", "Member", "Area"))
    assert all(lives[m["id"]] == 1 for m in members)
    works = Counter(x["start"] for x in rows(ds, "WORKS_AT", "Member", "Unit"))
    in_service = [m for m in members if m["in_service"]]
    assert all(works[m["id"]] == 1 for m in in_service)
    assert sum(works[m["id"]] for m in members if not m["in_service"]) == 0
    assert 0.55 <= len(in_service) / len(members) <= 0.65
    reporting = {x["start"] for x in rows(ds, "REPORTS_TO", "Member", "Org")}
    assert 0.6 <= len(reporting) / len(in_service) <= 0.8
    assert reporting <= {m["id"] for m in in_service}


def test_in_service_members_of_a_unit_with_an_org_belong_to_that_org() -> None:
    ds = dataset("district")
    org_of_unit = {x["end"]: x["start"] for x in rows(ds, "EMBEDDED_IN", "Org", "Unit")}
    works = {x["start"]: x["end"] for x in rows(ds, "WORKS_AT", "Member", "Unit")}
    belongs = {x["start"]: x["end"] for x in rows(ds, "BELONGS_TO", "Member", "Org")}
    checked = [m for m, u in works.items() if u in org_of_unit]
    assert checked and all(belongs[m] == org_of_unit[works[m]] for m in checked)


def test_unit_types_and_party_coverage_follow_the_seeds() -> None:
    ds = dataset("district")
    with_org = {x["end"] for x in rows(ds, "EMBEDDED_IN", "Org", "Unit")}
    by_type: dict[str, list[bool]] = defaultdict(list)
    for u in ds.nodes["Unit"]:
        by_type[u["type"]].append(u["id"] in with_org)
    assert set(by_type) == set(UNIT_TYPES)
    two_new = [x for t in TWO_NEW_UNIT_TYPES for x in by_type[t]]
    public = [x for t in UNIT_TYPES if t not in TWO_NEW_UNIT_TYPES for x in by_type[t]]
    assert 0.72 <= sum(two_new) / len(two_new) <= 0.88
    assert sum(public) / len(public) >= 0.95
    located = Counter(x["start"] for x in rows(ds, "LOCATED_IN", "Unit", "Area"))
    assert all(located[u["id"]] == 1 for u in ds.nodes["Unit"])


def test_every_org_has_a_secretary_and_units_sit_on_the_councils() -> None:
    ds = dataset("district")
    holds = rows(ds, "HOLDS", "Member", "Org")
    secretaries = Counter(x["end"] for x in holds if x["props"]["role"] == "secretary")
    assert all(secretaries[o["id"]] == 1 for o in ds.nodes["Org"])
    councils = {o["id"] for o in ds.nodes["Org"] if o["kind"] == "big_council"}
    part_time = [x for x in holds if x["props"]["role"] == "part_time_member"]
    assert {x["end"] for x in part_time} <= councils
    assert len(part_time) >= 0.7 * len(rows(ds, "EMBEDDED_IN", "Org", "Unit"))
    roles = Counter(x["props"]["role"] for x in holds)
    assert all(
        roles[r] > 0 for r in ("grid_worker", "building_head", "central_household", "deputy_secretary")
    )


def test_urgent_needs_cluster_in_old_compounds() -> None:
    ds = dataset("district")
    old = {a["id"] for a in ds.nodes["Area"] if a.get("old_compound")}
    where = {x["start"]: x["end"] for x in rows(ds, "LOCATED_IN", "Need", "Area")}

    def old_share(urgencies: tuple[str, ...]) -> float:
        needs = [n for n in ds.nodes["Need"] if n["urgency"] in urgencies]
        return sum(where[n["id"]] in old for n in needs) / len(needs)

    assert old_share(("urgent", "high")) > 1.5 * old_share(("low",))


def test_scarce_skills_are_offered_less_than_they_are_needed() -> None:
    ds = dataset("district")
    need = Counter(s for n in ds.nodes["Need"] for s in n.get("skills", []))
    offered = Counter(s for o in ds.nodes["Offering"] if o["status"] == "active" for s in o.get("skills", []))
    for scarce in ("心理疏导", "法律"):
        assert offered[scarce] < need[scarce], scarce
    assert offered["陪伴"] > need["陪伴"]


def test_needs_use_taxonomy_leaves_and_their_skills_and_sit_in_the_season() -> None:
    ds = dataset("district")
    for n in ds.nodes["Need"]:
        cat = CATEGORY_BY_ID[n["category"]]
        assert cat.parent is not None
        assert set(n["skills"]) <= set(cat.skills)
        assert n["window_start"] < n["window_end"]
        if n["status"] == "open":
            assert n["window_start"] >= "2026-11-01" and n["window_end"] <= "2027-04-30T23:59:59Z"
        assert n["created_at"] <= "2026-11-01T23:59:59Z"
    statuses = Counter(n["status"] for n in ds.nodes["Need"])
    assert statuses.most_common(1)[0][0] == "open"
    assert {"in_progress", "completed", "evaluated"} <= set(statuses)


def test_projects_fulfil_claimed_needs_and_are_served_through_the_providers_offerings() -> None:
    ds = dataset("district")
    offers = {(x["start"], x["end"]) for p in ("Unit", "Member") for x in rows(ds, "OFFERS", p, "Offering")}
    need_status = {n["id"]: n["status"] for n in ds.nodes["Need"]}
    fulfils = {x["start"]: x["end"] for x in rows(ds, "FULFILLS", "Project", "Need")}
    assert set(fulfils) == {p["id"] for p in ds.nodes["Project"]}
    assert {need_status[n] for n in fulfils.values()} <= {"claimed", "in_progress", "completed", "evaluated"}
    served: Counter[str] = Counter()
    for p in ("Unit", "Member"):
        for x in rows(ds, "SERVES", p, "Project"):
            assert (x["start"], x["props"]["offering_id"]) in offers
            served[x["end"]] += 1
    assert all(served[p] >= 1 for p in fulfils)


def test_coordinates_stay_around_kunming() -> None:
    ds = dataset("district")
    points = [(n["lat"], n["lon"]) for label in ("Area", "Unit", "Need") for n in ds.nodes[label]]
    assert all(24.9 < lat < 25.18 and 102.55 < lon < 102.87 for lat, lon in points)


def test_generator_modules_import_neither_the_store_nor_the_api() -> None:
    for path in sorted((ROOT / "engine" / "demo").glob("*.py")):
        if path.name in ("loader.py", "__init__.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in imported if m.split(".")[0] in ("api", "time") or m.startswith("engine.store")]
        source = path.read_text(encoding="utf-8")
        assert ".now(" not in source and ".today(" not in source, path


def test_every_serving_provider_has_an_active_claim_with_its_own_offering_before_work() -> None:
    ds = dataset("district")
    need_of = {x["start"]: x["end"] for x in rows(ds, "FULFILLS", "Project", "Need")}
    needs = {n["id"]: n for n in ds.nodes["Need"]}
    claims = {c["id"]: c for c in ds.nodes["Claim"]}
    offers = {(x["start"], x["end"]) for p in ("Unit", "Member") for x in rows(ds, "OFFERS", p, "Offering")}
    claim_need = {x["start"]: x["end"] for x in rows(ds, "FOR", "Claim", "Need")}
    claim_uses = {x["start"]: x["end"] for x in rows(ds, "USES", "Claim", "Offering")}
    made: Counter[tuple[str, str, str]] = Counter()
    for p in ("Unit", "Member"):
        for x in rows(ds, "MAKES", p, "Claim"):
            claim = claims[x["end"]]
            assert claim["status"] == "active" and claim_uses[claim["id"]] == claim["offering_id"]
            assert (x["start"], claim["offering_id"]) in offers
            need = needs[claim_need[claim["id"]]]
            assert need["created_at"] < claim["created_at"] < need["window_start"]
            made[(x["start"], need["id"], claim["offering_id"])] += 1
    serving = Counter(
        (x["start"], need_of[x["end"]], x["props"]["offering_id"])
        for p in ("Unit", "Member")
        for x in rows(ds, "SERVES", p, "Project")
    )
    assert made == serving and len(claims) == sum(serving.values())
    assert Counter(c["via"] for c in claims.values()).keys() == {"self", "dispatch"}


def test_no_offering_ever_holds_more_active_claims_in_a_period_than_its_capacity() -> None:
    """At each claim's own moment, the claims of its offering since the period start fit the capacity."""
    from engine.services.clock import period_starts

    ds = dataset("district")
    offerings = {o["id"]: o for o in ds.nodes["Offering"]}
    times: dict[str, list[str]] = defaultdict(list)
    for c in ds.nodes["Claim"]:
        times[c["offering_id"]].append(c["created_at"])
    for offering_id, ats in times.items():
        o = offerings[offering_id]
        assert o["status"] == "active"
        for now in ats:
            since = period_starts(now).get(f"{o['period']}_start", "")
            assert sum(since <= t <= now for t in ats) <= o["capacity"], (offering_id, now)


def test_most_needs_are_claimed_within_the_response_hours_but_not_all() -> None:
    from engine.demo.history import RESPONSE_HOURS
    from engine.services.clock import parse

    ds = dataset("district")
    first: dict[str, str] = {}
    created = {c["id"]: c["created_at"] for c in ds.nodes["Claim"]}
    for x in rows(ds, "FOR", "Claim", "Need"):
        first[x["end"]] = min(first.get(x["end"], "9999"), created[x["start"]])
    posted = {n["id"]: n["created_at"] for n in ds.nodes["Need"]}
    fast = [(parse(t) - parse(posted[n])).total_seconds() <= RESPONSE_HOURS * 3600 for n, t in first.items()]
    assert 0.7 <= sum(fast) / len(fast) <= 0.9


def test_work_logs_add_up_to_the_hours_served_and_points_follow_the_rules() -> None:
    from engine.demo.history import POINTS_FOR_EVALUATING, POINTS_PER_HOUR, POINTS_PER_STAR

    ds = dataset("district")
    logs = {w["id"]: w for w in ds.nodes["WorkLog"]}
    on = {x["start"]: x["end"] for x in rows(ds, "ON", "WorkLog", "Project")}
    assert all(
        w["status"] == "confirmed" and w["points"] == round(w["hours"] * POINTS_PER_HOUR)
        for w in logs.values()
    )
    logged: Counter[tuple[str, str]] = Counter()
    for p in ("Unit", "Member"):
        for x in rows(ds, "LOGGED", p, "WorkLog"):
            logged[(x["start"], on[x["end"]])] += round(logs[x["end"]]["hours"] * 10)
    status = {p["id"]: p["status"] for p in ds.nodes["Project"]}
    entries = {e["id"]: e for e in ds.nodes["PointEntry"]}
    project_of = {x["start"]: x["end"] for x in rows(ds, "FOR_PROJECT", "PointEntry", "Project")}
    credited: Counter[tuple[str, str, str]] = Counter()
    for h in ("Unit", "Member", "Org"):
        for x in rows(ds, "CREDITS", "PointEntry", h):
            e = entries[x["start"]]
            credited[(x["end"], project_of[e["id"]], e["reason"])] += e["points"]
    assert len(project_of) == len(entries)
    for p in ("Unit", "Member"):
        for x in rows(ds, "SERVES", p, "Project"):
            key = (x["start"], x["end"])
            assert logged[key] == round(x["props"]["hours"] * 10), key
            # past logs are confirmed: the hours of a project started earn their points
            assert x["props"]["hours_logged"] == x["props"]["hours"]
            done = status[x["end"]] in ("in_progress", "completed", "evaluated")
            want = round(x["props"]["hours"] * POINTS_PER_HOUR) if done else 0
            assert credited[(x["start"], x["end"], "service_hours")] == want, key
    ratings = {e["id"]: e["rating"] for e in ds.nodes["Evaluation"]}
    rated: dict[str, int] = defaultdict(int)
    for h in ("Unit", "Member", "Org"):
        for x in rows(ds, "RATES", "Evaluation", h):
            rated[x["end"]] += ratings[x["start"]] * POINTS_PER_STAR
    gave = Counter(x["start"] for h in ("Unit", "Member", "Org") for x in rows(ds, "GAVE", h, "Evaluation"))
    for holder in set(rated) | set(gave):
        got = sum(v for (h, _, r), v in credited.items() if h == holder and r in ("rating", "evaluating"))
        assert got == rated[holder] + gave[holder] * POINTS_FOR_EVALUATING, holder


def test_evaluated_projects_rate_every_provider_once_and_ratings_are_mostly_good() -> None:
    ds = dataset("district")
    direction = {e["id"]: e["direction"] for e in ds.nodes["Evaluation"]}
    about = {x["start"]: x["end"] for x in rows(ds, "ABOUT", "Evaluation", "Project")}
    rated = Counter(
        (x["end"], about[x["start"]])
        for p in ("Unit", "Member")
        for x in rows(ds, "RATES", "Evaluation", p)
        if direction[x["start"]] == "community_to_provider"
    )
    status = {p["id"]: p["status"] for p in ds.nodes["Project"]}
    for p in ("Unit", "Member"):
        for x in rows(ds, "SERVES", p, "Project"):
            assert rated[(x["start"], x["end"])] == (1 if status[x["end"]] == "evaluated" else 0)
    back = [d for d in direction.values() if d == "provider_to_community"]
    assert back
    stars = Counter(e["rating"] for e in ds.nodes["Evaluation"])
    assert (stars[4] + stars[5]) / stars.total() >= 0.7 and stars[1] + stars[2] + stars[3] > 0
