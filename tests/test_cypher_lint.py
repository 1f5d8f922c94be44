"""Every registered statement's Neo4j text and every Neo4j DDL statement pass Neo4j's own
Cypher front end (``lintCypherQuery`` from the pinned npm package), run once for all, with Neo4j 5's
function and procedure catalogue (tests/cypher_lint/catalogue.json, dumped from a real server), so a
function Neo4j lacks fails here as it would there."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARY

from engine.store.registry import all_statements
from graph_schema.ddl import index_specs, neo4j_statements

ROOT = Path(__file__).resolve().parent.parent
LINT = ROOT / "tests" / "cypher_lint" / "lint.mjs"
CATALOGUE = ROOT / "tests" / "cypher_lint" / "catalogue.json"
PACKAGE = "@neo4j-cypher/language-support"
# Statements only there to prove the lint can fail; their names cannot clash with registered ones.
BROKEN = {"selftest:broken": "MATCH (n RETURN n"}
DEPRECATED = {"selftest:deprecated": "MATCH (n) WHERE id(n) = $x RETURN n"}
CLEAN = {"selftest:clean": "MATCH (n:Org {id: $id}) RETURN n.name AS name"}
# Functions and procedures FalkorDB has and Neo4j 5 lacks, and a misspelt one: each must fail.
UNKNOWN_FUNCTIONS = {
    "selftest:misspelt": "MATCH (n:Org) RETURN toUpperX(n.name) AS name",
    "selftest:falkordb_string_join": "MATCH (n:Org) RETURN string.join(n.tags, ',') AS tags",
    "selftest:falkordb_tojson": "MATCH (n:Org) RETURN toJSON(n) AS doc",
    "selftest:falkordb_list_dedup": "MATCH (n:Org) RETURN list.dedup(n.tags) AS tags",
    "selftest:falkordb_procedure": "CALL db.idx.fulltext.queryNodes('Org', $q) YIELD node RETURN node",
}
# The linter has no parameter values; every other diagnostic (error or warning) is a failure.
UNDEFINED_PARAMETER = re.compile(r"^Parameter \$\S+ is not defined\.$")

CACHE = "lianjian/cypher_lint"
Diagnostic = dict[str, Any]


def queries() -> dict[str, str]:
    """Neo4j text of every registered statement that runs on Neo4j, by statement name."""
    return {s.name: s.neo4j for s in all_statements() if s.neo4j is not None}


def ddl() -> dict[str, str]:
    """Every Neo4j DDL statement of the schema, named after its index spec."""
    texts = neo4j_statements()
    specs = index_specs()
    assert len(texts) == len(specs)
    return {f"ddl:{spec.name}": text for spec, text in zip(specs, texts, strict=True)}


def problems(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that fail a statement: all but "Parameter $x is not defined."."""
    return [d for d in diagnostics if not UNDEFINED_PARAMETER.match(d["message"])]


def lint(statements: dict[str, str]) -> dict[str, list[Diagnostic]]:
    """Diagnostics per statement name, from one node process over all of them."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: install Node.js 20+, then run `npm ci` first")
    manifest = ROOT / "node_modules" / PACKAGE / "package.json"
    if not manifest.exists():
        pytest.fail(f"{PACKAGE} is missing: run `npm ci` first")
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"][PACKAGE]
    installed = json.loads(manifest.read_text())["version"]
    if installed != pinned:
        pytest.fail(f"{PACKAGE} {installed} is installed but {pinned} is pinned: run `npm ci` first")
    payload = json.dumps([{"name": k, "text": v} for k, v in statements.items()])
    done = subprocess.run(
        [node, str(LINT), str(CATALOGUE)],
        input=payload,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(f"the Cypher linter crashed:\n{done.stderr}")
    return {r["name"]: r["diagnostics"] for r in json.loads(done.stdout)}


def cache_key(text: str) -> str:
    """Identifies one lint verdict: the statement, the pinned package, the lint script and the catalogue."""
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"][PACKAGE]
    catalogue = hashlib.sha256(CATALOGUE.read_bytes()).hexdigest()
    return hashlib.sha256(f"{pinned}\0{LINT.read_text()}\0{catalogue}\0{text}".encode()).hexdigest()


@pytest.fixture(scope="module")
def linted(request: pytest.FixtureRequest) -> dict[str, list[Diagnostic]]:
    """The linter's verdict on every statement plus the self-test ones.

    Verdicts on unchanged statements come from pytest's cache (about 60 ms each saved);
    the self-test statements always go through the linter, so it is proven to run.
    """
    statements = {**queries(), **ddl()}
    store = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    cache: dict[str, list[Diagnostic]] = store.get(CACHE, {}) if store else {}
    keys = {name: cache_key(text) for name, text in statements.items()}
    fresh = {name: text for name, text in statements.items() if keys[name] not in cache}
    verdicts = lint({**fresh, **BROKEN, **DEPRECATED, **CLEAN, **UNKNOWN_FUNCTIONS})
    cache = {k: cache[k] for k in keys.values() if k in cache}
    cache.update({keys[name]: verdicts[name] for name in fresh})
    if store:
        store.set(CACHE, cache)
    SUMMARY.append(
        f"Cypher lint: {len(fresh)} statements linted now, {len(statements) - len(fresh)} unchanged "
        "ones from pytest's cache"
    )
    return {**{name: cache[keys[name]] for name in statements}, **verdicts}


def test_every_neo4j_statement_passes_neo4j_parser(linted: dict[str, list[Diagnostic]]) -> None:
    texts = {**queries(), **ddl()}
    falkordb_only = sum(1 for s in all_statements() if s.neo4j is None)
    SUMMARY.append(
        f"Neo4j parser checked {len(texts)} statements ({len(queries())} queries, {len(ddl())} DDL); "
        f"FalkorDB-only: {falkordb_only}"
    )
    assert set(texts) <= set(linted)
    failures = [
        f"{name}: [{'error' if d['severity'] == 1 else 'warning'}] {d['message']}\n    {texts[name]}"
        for name in sorted(texts)
        for d in problems(linted[name])
    ]
    assert not failures, "Neo4j's parser rejects:\n" + "\n".join(failures)


def test_the_lint_reports_a_syntax_error(linted: dict[str, list[Diagnostic]]) -> None:
    found = problems(linted["selftest:broken"])
    assert found and found[0]["severity"] == 1 and "Invalid input" in found[0]["message"]


def test_the_lint_reports_deprecations_but_not_undefined_parameters(
    linted: dict[str, list[Diagnostic]],
) -> None:
    deprecated = problems(linted["selftest:deprecated"])
    # Deprecated twice over: by the parser and by the catalogue's entry for id().
    assert deprecated and {d["severity"] for d in deprecated} == {2}
    assert all("deprecated" in d["message"] for d in deprecated)
    assert linted["selftest:clean"] and problems(linted["selftest:clean"]) == []


@pytest.mark.parametrize("name", sorted(UNKNOWN_FUNCTIONS))
def test_the_lint_rejects_functions_and_procedures_neo4j_lacks(
    linted: dict[str, list[Diagnostic]], name: str
) -> None:
    found = problems(linted[name])
    assert [d["severity"] for d in found] == [1], found
    assert "is not present in the database" in found[0]["message"]


# A pattern comprehension's opening pattern, up to its `|`, and the names it gives nodes or relationships.
_COMPREHENSION = re.compile(r"\[\s*(\([^|]*?)\|", re.S)
_NAMED = re.compile(r"[(\[]\s*([A-Za-z_]\w*)\s*:")


def reused_comprehension_names(text: str) -> set[str]:
    """Names introduced by more than one pattern comprehension of ``text``."""
    seen: list[str] = []
    for found in _COMPREHENSION.finditer(text):
        seen += set(_NAMED.findall(found.group(1)))
    return {name for name in seen if seen.count(name) > 1}


def test_pattern_comprehensions_name_their_nodes_apart() -> None:
    """FalkorDB 4.16 binds a name a later pattern comprehension reuses to the earlier one's node, so
    the later list comes back empty (the directory bug of issue 10); every statement avoids it."""
    assert reused_comprehension_names("WITH u, [(u)-->(x:Org) | x] AS a, [(x:Org)-->(u) | x] AS b") == {"x"}
    apart = "WITH u, [(u)-[r:R]->(x:Org) | x] AS a, [(y:Org)-->(u) | y] AS b"
    assert reused_comprehension_names(apart) == set()
    texts = {s.name: text for s in all_statements() for text in (s.neo4j, s.falkordb) if text}
    reused = {name: reused_comprehension_names(text) for name, text in texts.items()}
    assert not {name: found for name, found in reused.items() if found}
