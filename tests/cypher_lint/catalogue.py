"""Neo4j 5's function and procedure catalogue for the Cypher lint, dumped from a real server.

Without it the parser passes any function name (``toUpperX()``, FalkorDB's ``string.join``), so the
lint gets the catalogue as its database schema. ``catalogue.json`` is committed; the suite compares
it with its own Neo4j on every run (tests/test_neo4j_catalogue.py) and
``python tests/cypher_lint/catalogue.py BOLT_URI`` writes it anew.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CATALOGUE = Path(__file__).with_name("catalogue.json")

SHOW_FUNCTIONS = (
    "SHOW FUNCTIONS YIELD name, category, description, isBuiltIn, argumentDescription, "
    "returnDescription, signature, aggregating, isDeprecated RETURN * ORDER BY name"
)
SHOW_PROCEDURES = (
    "SHOW PROCEDURES YIELD name, description, mode, worksOnSystem, argumentDescription, "
    "returnDescription, signature, admin, option RETURN * ORDER BY name"
)
VERSION = "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS version, edition"


def dump(driver: Any) -> dict[str, Any]:
    """The server's version, functions and procedures, in the form the lint's schema takes."""
    version = driver.execute_query(VERSION).records[0].data()
    functions = [r.data() for r in driver.execute_query(SHOW_FUNCTIONS).records]
    procedures = [r.data() for r in driver.execute_query(SHOW_PROCEDURES).records]
    return {**version, "functions": functions, "procedures": procedures}


def load() -> dict[str, Any]:
    """The committed catalogue."""
    catalogue: dict[str, Any] = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return catalogue


def main() -> None:
    """Write catalogue.json from the Neo4j at the Bolt URI given."""
    import neo4j

    with neo4j.GraphDatabase.driver(sys.argv[1], auth=("neo4j", "neo4j")) as driver:
        catalogue = dump(driver)
    CATALOGUE.write_text(json.dumps(catalogue, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(
        f"{CATALOGUE}: Neo4j {catalogue['version']}, {len(catalogue['functions'])} functions, "
        f"{len(catalogue['procedures'])} procedures"
    )


if __name__ == "__main__":
    main()
