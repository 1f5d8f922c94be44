"""The API over the `tiny` demo district, with the five demo accounts signed in on a real server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from conftest import BACKENDS, LiveServer, make_store, release_store

from engine.demo import generate, load_dataset
from engine.demo.accounts import DEMO_PASSWORD
from engine.demo.dataset import DemoDataset
from engine.demo.loader import create_demo_accounts
from engine.services.secret_box import SecretBox
from engine.settings import Settings
from engine.store import GraphStore
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.schema_apply import apply_schema

ROLES = ("admin", "planner", "secretary", "unit", "member")


@dataclass
class ApiWorld:
    """A running server over a loaded demo graph, and a signed-in client per demo account."""

    store: GraphStore
    dataset: DemoDataset
    server: LiveServer
    accounts: dict[str, dict[str, Any]]
    box: SecretBox  # the server's data key: TOTP secrets in the graph are sealed with it
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self.server.url

    def anonymous(self) -> httpx.Client:
        """A client that has not signed in."""
        return httpx.Client(base_url=self.url, timeout=30)

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> httpx.Client:
        """A client carrying a fresh bearer token of ``username``."""
        token = httpx.post(
            f"{self.url}/auth/token", data={"username": username, "password": password}, timeout=30
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def client(self, role: str) -> httpx.Client:
        """The signed-in client of the demo account ``role`` (made once)."""
        if role not in self.clients:
            self.clients[role] = self.sign_in(role)
        return self.clients[role]


def build_api_world(store: GraphStore, settings: Settings, size: str = "tiny") -> Iterator[ApiWorld]:
    """Load the demo of ``size`` and its accounts into ``store`` and serve the API over it."""
    from api.app import create_app
    from engine.actors import Actor, Role

    apply_schema(store)
    dataset = generate(size, 2026)
    load_dataset(store, dataset)
    accounts = create_demo_accounts(store, dataset, Actor("test", Role.ADMIN))
    box = SecretBox.from_settings(settings)  # made first: the server reads the same key file
    with LiveServer(create_app(settings, store)) as server:
        world = ApiWorld(store, dataset, server, {str(a["id"]): a for a in accounts}, box)
        yield world
        for client in world.clients.values():
            client.close()


@pytest.fixture(name="api")
def api_fixture(empty_store: GraphStore, tmp_path: Any) -> Iterator[ApiWorld]:
    """The tiny demo behind a real uvicorn server, with the demo accounts."""
    yield from build_api_world(empty_store, Settings(data_dir=tmp_path / "data"))


def shared_world(
    server: EmbeddedFalkorDB, tmp: pytest.TempPathFactory, backend: str = "falkordb"
) -> Iterator[ApiWorld]:
    """The tiny demo behind a real server on a fresh graph of ``backend``, for a whole module."""
    store = make_store(backend, server)
    try:
        yield from build_api_world(store, Settings(data_dir=tmp.mktemp("api") / "data"))
    finally:
        release_store(store)


def _module_world(
    request: pytest.FixtureRequest,
    falkordb_server: EmbeddedFalkorDB,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ApiWorld]:
    """One demo world per backend for a whole module (its tests only read, or write apart)."""
    yield from shared_world(falkordb_server, tmp_path_factory, request.param)


# A module imports the one named as its tests name their world: "world" or "api".
module_world_fixture = pytest.fixture(scope="module", params=BACKENDS, name="world")(_module_world)
module_api_fixture = pytest.fixture(scope="module", params=BACKENDS, name="api")(_module_world)
