"""The store's contract, on a real FalkorDB (and Neo4j when NEO4J_URI is set): every generated
statement for every label and relationship endpoint pair, unique ids, typed round-trips,
schema application and the ``meta.*`` statements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import neo4j
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schema_examples import example_node, example_rel_props

from engine.settings import Settings
from engine.store import ConstraintViolation, GraphStore, StoreUnavailable, apply_schema, open_store
from engine.store.falkordb_store import FalkorDBStore, params_header
from engine.store.neo4j_store import Neo4jStore
from engine.store.queries.nodes import node_stmt, rel_stmt
from engine.store.registry import all_statements
from engine.store.schema_apply import current_version
from graph_schema.ddl import index_specs
from graph_schema.domain import SCHEMA, SCHEMA_VERSION
from graph_schema.validation import validate_node, validate_relationship

LABELS = [lb.name for lb in SCHEMA.labels]
PAIRS = [(r.name, s, e) for r in SCHEMA.rel_types for s, e in r.endpoint_pairs()]
PAGE = {"skip": 0, "limit": 10_000}


def count(store: GraphStore, label: str) -> int:
    """Nodes of ``label`` in the store."""
    row = store.one(node_stmt("count", label))
    assert row is not None
    return int(row["count"])


def create(store: GraphStore, label: str, props: dict[str, Any]) -> None:
    """Create one node and check the statement answers with its id."""
    assert store.run(node_stmt("create", label), {"props": props}) == [{"id": props["id"]}]


def get(store: GraphStore, label: str, node_id: str) -> dict[str, Any] | None:
    """The node's properties, or None when it does not exist."""
    row = store.one(node_stmt("get", label), {"id": node_id})
    return None if row is None else dict(row["node"])


def assert_same(got: dict[str, Any] | None, expected: dict[str, Any]) -> None:
    """Equal values of the same Python types (1 is not 1.0, True is not 1)."""
    assert got == expected
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in expected.items()}


def rels(store: GraphStore, rel_type: str, start: str, end: str) -> list[dict[str, Any]]:
    """Every relationship of one endpoint pair as {start_id, end_id, props}."""
    return store.run(rel_stmt("list", rel_type, start, end), PAGE)


def test_examples_are_valid_for_the_whole_schema() -> None:
    for label in LABELS:
        assert validate_node(label, example_node(label, 0)) == []
        assert validate_node(label, example_node(label, 7, full=False)) == []
    for rel_type, start, end in PAIRS:
        assert validate_relationship(rel_type, start, end, example_rel_props(rel_type)) == []


@pytest.mark.parametrize("label", LABELS)
def test_node_statements(store: GraphStore, label: str) -> None:
    before = count(store, label)
    a, b = example_node(label, 0), example_node(label, 1, full=False)
    create(store, label, a)
    create(store, label, b)
    assert count(store, label) == before + 2
    assert_same(get(store, label, a["id"]), a)
    assert_same(get(store, label, b["id"]), b)
    assert get(store, label, "no-such-id") is None

    many = store.run(node_stmt("get_many", label), {"ids": [a["id"], b["id"], "no-such-id"]})
    assert sorted(r["node"]["id"] for r in many) == sorted([a["id"], b["id"]])

    changes = {k: v for k, v in example_node(label, 2).items() if k != "id"}
    updated = store.one(node_stmt("update", label), {"id": a["id"], "props": changes})
    assert updated is not None
    assert_same(updated["node"], {**a, **changes})
    assert_same(get(store, label, a["id"]), {**a, **changes})
    assert store.run(node_stmt("update", label), {"id": "no-such-id", "props": changes}) == []

    listed = [r["node"]["id"] for r in store.run(node_stmt("list", label), PAGE)]
    assert listed == sorted(listed) and {a["id"], b["id"]} <= set(listed)
    first = store.run(node_stmt("list", label), {"skip": 0, "limit": 1})
    second = store.run(node_stmt("list", label), {"skip": 1, "limit": 1})
    assert [r["node"]["id"] for r in first + second] == listed[:2]

    assert store.run(node_stmt("delete", label), {"id": a["id"]}) == [{"deleted": 1}]
    assert get(store, label, a["id"]) is None
    assert store.run(node_stmt("delete", label), {"id": a["id"]}) == [{"deleted": 0}]
    assert count(store, label) == before + 1


@pytest.mark.parametrize("label", LABELS)
def test_bulk_node_statements(store: GraphStore, label: str) -> None:
    before = count(store, label)
    rows = [example_node(label, n) for n in range(5)]
    assert store.bulk(node_stmt("bulk_create", label), rows, batch_size=2) == 5
    assert count(store, label) == before + 5
    for row in rows:
        assert_same(get(store, label, row["id"]), row)

    changed = {**rows[0], **{k: v for k, v in example_node(label, 9).items() if k != "id"}}
    fresh = example_node(label, 6)
    store.run(node_stmt("bulk_upsert", label), {"rows": [changed, fresh]})
    store.run(node_stmt("bulk_upsert", label), {"rows": [changed, fresh]})  # idempotent
    assert count(store, label) == before + 6
    assert_same(get(store, label, rows[0]["id"]), changed)
    assert_same(get(store, label, fresh["id"]), fresh)

    ids = [r["id"] for r in rows] + [fresh["id"], "no-such-id"]
    assert store.run(node_stmt("bulk_delete", label), {"ids": ids}) == [{"deleted": 6}]
    assert count(store, label) == before
    assert store.run(node_stmt("get_many", label), {"ids": ids}) == []


@pytest.mark.parametrize("label", LABELS)
def test_duplicate_ids_are_rejected_and_write_nothing(store: GraphStore, label: str) -> None:
    a = example_node(label, 0)
    create(store, label, a)
    before = count(store, label)
    duplicate = {**example_node(label, 1), "id": a["id"]}

    with pytest.raises(ConstraintViolation):
        store.run(node_stmt("create", label), {"props": duplicate})
    assert count(store, label) == before
    assert_same(get(store, label, a["id"]), a)

    # A batch holding one duplicate of a stored node is rejected whole.
    batch = [example_node(label, 2), duplicate, example_node(label, 3)]
    with pytest.raises(ConstraintViolation):
        store.bulk(node_stmt("bulk_create", label), batch)
    assert count(store, label) == before
    assert store.run(node_stmt("get_many", label), {"ids": [batch[0]["id"], batch[2]["id"]]}) == []

    # So is a batch that repeats a new id within itself.
    twin = example_node(label, 4)
    with pytest.raises(ConstraintViolation):
        store.run(node_stmt("bulk_create", label), {"rows": [example_node(label, 5), twin, dict(twin)]})
    assert count(store, label) == before

    # And an update that would give another node a taken id.
    b = example_node(label, 6)
    create(store, label, b)
    with pytest.raises(ConstraintViolation):
        store.run(node_stmt("update", label), {"id": b["id"], "props": {"id": a["id"]}})
    assert_same(get(store, label, b["id"]), b)
    assert count(store, label) == before + 1


def test_property_types_round_trip(store: GraphStore) -> None:
    area = {
        **example_node("Area"),
        "name": "西岗区“联建”社区'引号'与\\反斜杠; DROP",
        "lat": 38.9140,
        "lon": -121.6147,
        "households": 2**40,
        "residents": 0,
        "old_compound": False,
    }
    member = {**example_node("Member"), "skills": ["急救", "法律咨询", "Python"], "in_service": True}
    need = {
        **example_node("Need"),
        "skills": [],
        "hours_wanted": 0.1,
        "description": "为独居老人送餐\n第二行",
    }
    for label, props in (("Area", area), ("Member", member), ("Need", need)):
        assert validate_node(label, props) == []
        create(store, label, props)
        assert_same(get(store, label, props["id"]), props)


TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(-1e300, 1e300).map(lambda f: float(f"{f:.15g}"))  # 15 digits, as replies print
    | TEXT,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(TEXT.filter(lambda k: "`" not in k and k), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON_VALUES)
def test_falkordb_parameters_arrive_as_sent(falkordb_server: Any, value: Any) -> None:
    """The JSON-written parameter header (quotes, backslashes, control characters, any key) gives
    the server what the client's own header builder gives it (NUL ends the query text in both)."""
    graph = FalkorDBStore.open(falkordb_server.socket_path, "params_header").graph
    sent = [
        graph.query(header + "RETURN $v AS v").result_set[0][0]
        for header in (
            params_header({"v": value}, graph._build_params_header),
            graph._build_params_header({"v": value}),
        )
    ]
    assert sent[0] == sent[1]
    if not isinstance(value, float):  # a double comes back with 15 significant digits
        assert sent[0] == value


def test_rows_of_plain_names_and_text_take_the_json_header() -> None:
    """The bulk rows a dispatch writes are written by the JSON encoder, not the client's fallback."""
    rows = [
        {"need_id": f"n{i}", "props": {"score": 1.5, "parts": '{"距离": 0.5}', "ok": True}} for i in range(3)
    ]

    def fallback(params: dict[str, Any]) -> str:
        raise AssertionError("fell back")

    header = params_header({"rows": rows, "now": "2026-11-02T00:00:00Z"}, fallback)
    assert header.startswith('CYPHER rows=[{`need_id`:"n0",`props`:{`score`:1.5,`parts`:"{\\"距离\\": 0.5}"')


@pytest.mark.parametrize(("rel_type", "start", "end"), PAIRS, ids=["-".join(p) for p in PAIRS])
def test_relationship_statements(store: GraphStore, rel_type: str, start: str, end: str) -> None:
    a, b, c = example_node(start, 0), example_node(end, 1), example_node(end, 2)
    for label, props in ((start, a), (end, b), (end, c)):
        create(store, label, props)
    props0, props1 = example_rel_props(rel_type, 0), example_rel_props(rel_type, 1)

    store.run(rel_stmt("bulk_create", rel_type, start, end), {"rows": [_row(a, b, props0)]})
    assert rels(store, rel_type, start, end) == [{"start_id": a["id"], "end_id": b["id"], "props": props0}]

    merge = rel_stmt("bulk_merge", rel_type, start, end)
    for _ in range(2):  # merging twice leaves one relationship per pair
        store.run(merge, {"rows": [_row(a, b, props1), _row(a, c, props0)]})
    listed = rels(store, rel_type, start, end)
    expected = sorted(
        [
            {"start_id": a["id"], "end_id": b["id"], "props": {**props0, **props1}},
            {"start_id": a["id"], "end_id": c["id"], "props": props0},
        ],
        key=lambda r: (r["start_id"], r["end_id"]),
    )
    assert listed == expected
    for got, want in zip(listed, expected, strict=True):
        assert_same(got["props"], want["props"])
    page = store.run(rel_stmt("list", rel_type, start, end), {"skip": 1, "limit": 1})
    assert page == expected[1:]

    # A row naming a missing endpoint creates nothing.
    store.run(merge, {"rows": [_row(a, {"id": "no-such-id"}, props0)]})
    assert len(rels(store, rel_type, start, end)) == 2

    delete = rel_stmt("delete", rel_type, start, end)
    assert store.run(delete, {"start": a["id"], "end": b["id"]}) == [{"deleted": 1}]
    assert store.run(delete, {"start": a["id"], "end": b["id"]}) == [{"deleted": 0}]
    assert [r["end_id"] for r in rels(store, rel_type, start, end)] == [c["id"]]
    assert get(store, start, a["id"]) is not None and get(store, end, b["id"]) is not None


def _row(start: dict[str, Any], end: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    return {"start": start["id"], "end": end["id"], "props": props}


def test_relationship_properties_keep_their_types(store: GraphStore) -> None:
    member, org = example_node("Member"), example_node("Org")
    unit, project = example_node("Unit"), example_node("Project")
    for label, props in (("Member", member), ("Org", org), ("Unit", unit), ("Project", project)):
        create(store, label, props)
    holds = {"role": "secretary", "since": "2024-03-01"}
    serves = {"offering_id": "资源-001", "hours": 12.5}
    store.run(rel_stmt("bulk_create", "HOLDS", "Member", "Org"), {"rows": [_row(member, org, holds)]})
    store.run(rel_stmt("bulk_create", "SERVES", "Unit", "Project"), {"rows": [_row(unit, project, serves)]})
    assert_same(rels(store, "HOLDS", "Member", "Org")[0]["props"], holds)
    assert_same(rels(store, "SERVES", "Unit", "Project")[0]["props"], serves)


def test_deleting_a_node_removes_its_relationships(store: GraphStore) -> None:
    member, org = example_node("Member"), example_node("Org")
    create(store, "Member", member)
    create(store, "Org", org)
    store.run(rel_stmt("bulk_create", "BELONGS_TO", "Member", "Org"), {"rows": [_row(member, org, {})]})
    assert _rel_counts(store) == {"BELONGS_TO": 1}
    store.run(node_stmt("delete", "Org"), {"id": org["id"]})
    assert _rel_counts(store) == {}
    assert get(store, "Member", member["id"]) is not None


def _rel_counts(store: GraphStore) -> dict[str, int]:
    return {r["type"]: int(r["count"]) for r in store.run("meta.count_by_rel")}


def test_apply_schema_twice_creates_nothing_the_second_time(empty_store: GraphStore) -> None:
    assert current_version(empty_store) is None
    first = apply_schema(empty_store)
    names = [s.name for s in index_specs()]
    assert sorted(first.created + first.existing) == sorted(names)
    if empty_store.backend == "falkordb":  # Neo4j's drop_all keeps the schema's indexes
        assert first.existing == []
    assert first.version_before is None and current_version(empty_store) == SCHEMA_VERSION

    second = apply_schema(empty_store)
    assert second.created == [] and sorted(second.existing) == sorted(names)
    assert second.version_before == SCHEMA_VERSION and second.migrations == []
    assert current_version(empty_store) == SCHEMA_VERSION
    assert count(empty_store, "SchemaVersion") == 1
    version = get(empty_store, "SchemaVersion", "schema")
    assert version is not None and version["applied_at"].endswith("Z")


def test_schema_cannot_be_applied_over_duplicate_ids(empty_store: GraphStore) -> None:
    if empty_store.backend == "neo4j":
        pytest.skip("Neo4j's drop_all keeps the constraints, so the duplicate cannot be made")
    org = example_node("Org")
    create(empty_store, "Org", org)
    create(empty_store, "Org", org)  # no constraint yet: the duplicate goes in
    with pytest.raises(ConstraintViolation):
        apply_schema(empty_store)


def test_meta_statements(store: GraphStore) -> None:
    assert store.run("meta.ping") == [{"ok": 1}]
    assert store.run("meta.schema_version_get") == [{"version": SCHEMA_VERSION}]
    assert store.run("meta.schema_version_set", {"version": SCHEMA_VERSION + 1, "applied_at": "x"}) == [
        {"version": SCHEMA_VERSION + 1}
    ]
    assert current_version(store) == SCHEMA_VERSION + 1

    for n in range(3):
        create(store, "Org", example_node("Org", n))
    create(store, "Area", example_node("Area"))
    by_label = {r["label"]: int(r["count"]) for r in store.run("meta.count_by_label")}
    assert by_label == {"Area": 1, "Org": 3, "SchemaVersion": 1}
    assert _rel_counts(store) == {}

    assert store.run("meta.delete_some", {"limit": 2}) == [{"deleted": 2}]
    assert sum(int(r["count"]) for r in store.run("meta.count_by_label")) == 3
    assert store.run("meta.delete_some", {"limit": 10}) == [{"deleted": 3}]
    assert store.run("meta.delete_some", {"limit": 10}) == [{"deleted": 0}]


def test_backend_index_listings_show_the_schema(store: GraphStore) -> None:
    specs = index_specs()
    if store.backend == "neo4j":
        names = {r["name"] for r in store.run("meta.neo4j_index_names")}
        assert {s.name for s in specs} <= names
        return
    constraints = store.run("meta.falkordb_constraints")
    unique = {r["label"] for r in constraints if r["type"] == "UNIQUE" and r["status"] == "OPERATIONAL"}
    assert unique == set(LABELS)
    indexed = {(r["label"], p) for r in store.run("meta.falkordb_indexes") for p in r["properties"]}
    assert {(s.label, p) for s in specs for p in s.props} <= indexed


def test_every_generated_statement_is_registered() -> None:
    names = {s.name for s in all_statements()}
    actions = ("create", "get", "get_many", "update", "delete", "list", "count")
    for label in LABELS:
        for action in (*actions, "bulk_create", "bulk_upsert", "bulk_delete"):
            assert node_stmt(action, label) in names
    for rel_type, start, end in PAIRS:
        for action in ("bulk_create", "bulk_merge", "delete", "list"):
            assert rel_stmt(action, rel_type, start, end) in names


def test_an_unreachable_store_raises_store_unavailable(tmp_path: Path) -> None:
    dead = Settings(backend="falkordb", falkordb_socket=tmp_path / "nobody.sock", data_dir=tmp_path)
    with pytest.raises(StoreUnavailable, match="FalkorDB"), open_store(dead):
        pass
    with pytest.raises(StoreUnavailable, match="FalkorDB"):
        FalkorDBStore.open(tmp_path / "nobody.sock", "g")
    driver = neo4j.GraphDatabase.driver(
        "bolt://127.0.0.1:1", auth=("neo4j", "x"), max_transaction_retry_time=0
    )
    with pytest.raises(StoreUnavailable, match="Neo4j"), Neo4jStore(driver) as store:
        store.run("meta.ping")


def test_a_pipeline_runs_in_order_and_stops_at_the_first_failure(store: GraphStore) -> None:
    """Statements queued on a pipeline run in the order given; after one fails the rest are not
    run, and leaving the block raises that failure."""
    first, second, third = ({**example_node("Area"), "id": f"pipe-{i}"} for i in range(3))
    with store.pipeline() as writes:
        writes.run(node_stmt("create", "Area"), {"props": first})
        assert writes.bulk(node_stmt("bulk_create", "Area"), [second], batch_size=1) == 1
    assert get(store, "Area", "pipe-1") is not None and count(store, "Area") >= 2
    before = count(store, "Area")
    with pytest.raises(ConstraintViolation), store.pipeline() as writes:
        writes.run(node_stmt("create", "Area"), {"props": first})  # a duplicate id: refused
        writes.run(node_stmt("create", "Area"), {"props": third})  # so this never runs
    assert count(store, "Area") == before and get(store, "Area", "pipe-2") is None
