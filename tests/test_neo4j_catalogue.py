"""The lint's committed Neo4j catalogue (tests/cypher_lint/catalogue.json) is the suite's Neo4j's own:
same version, same functions and procedures. When Neo4j is upgraded this fails until the catalogue is
dumped again (``python tests/cypher_lint/catalogue.py BOLT_URI``)."""

from __future__ import annotations

import neo4j
import pytest
from conftest import BACKENDS, neo4j_uri
from cypher_lint.catalogue import dump, load

pytestmark = pytest.mark.skipif("neo4j" not in BACKENDS, reason="Neo4j is not among the test backends")


def test_committed_catalogue_is_the_running_neo4js() -> None:
    with neo4j.GraphDatabase.driver(neo4j_uri(), auth=("neo4j", "neo4j")) as driver:
        live = dump(driver)
    committed = load()
    assert live["functions"] and live["procedures"]
    assert (committed["version"], committed["edition"]) == (live["version"], live["edition"])
    assert [f["name"] for f in committed["functions"]] == [f["name"] for f in live["functions"]]
    assert [p["name"] for p in committed["procedures"]] == [p["name"] for p in live["procedures"]]
    assert committed == live, "refresh it: python tests/cypher_lint/catalogue.py BOLT_URI"
