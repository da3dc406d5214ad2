"""Shared fixtures: repository paths, the shared data folder and the real Neo4j.

Neo4j settings come from ``TEST_NEO4J_URI``, ``TEST_NEO4J_USER`` and
``TEST_NEO4J_PASSWORD`` (``eval "$(scripts/neo4j.sh env)"`` sets them;
``scripts/test.sh`` does it for you). When they are unset, or the server cannot
be reached, every test that needs Neo4j FAILS with a message saying how to
start it: a missing database is a broken environment, never a reason to skip.

Tests that need Neo4j either request ``neo4j_driver`` / ``neo4j_auth`` or carry
``@pytest.mark.neo4j`` (the marker alone makes the test need a live server; a
test requesting the fixtures gets the marker, so ``-m neo4j`` selects them all).
The user database is shared by all tests: clean up what you create, or use
``neo4j_empty`` which wipes nodes, relationships, constraints and indexes first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests explore new examples on a developer's machine; in CI (CI=true) they replay the
# same examples every run, so a red CI always names a reproducible failure, never a lucky draw.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    hypothesis_settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parents[1]
START_HINT = (
    'start it with `scripts/neo4j.sh start && eval "$(scripts/neo4j.sh env)"` (or run scripts/test.sh)'
)
ENV_NAMES = ("TEST_NEO4J_URI", "TEST_NEO4J_USER", "TEST_NEO4J_PASSWORD")


@dataclass(frozen=True)
class Neo4jAuth:
    """Where the test Neo4j listens and how to log in."""

    uri: str
    user: str
    password: str

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)


def neo4j_auth_from_env(environ: Mapping[str, str]) -> Neo4jAuth:
    """Read the TEST_NEO4J_* variables; ``pytest.fail`` (never skip) when one is missing."""
    missing = [name for name in ENV_NAMES if not environ.get(name)]
    if missing:
        pytest.fail(f"Neo4j test settings missing ({', '.join(missing)}): {START_HINT}", pytrace=False)
    return Neo4jAuth(environ["TEST_NEO4J_URI"], environ["TEST_NEO4J_USER"], environ["TEST_NEO4J_PASSWORD"])


def connect_neo4j(auth: Neo4jAuth) -> Any:
    """Open a driver and prove the server answers; ``pytest.fail`` when it does not."""
    import neo4j
    from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

    driver = neo4j.GraphDatabase.driver(auth.uri, auth=auth.auth, connection_timeout=10)
    try:
        driver.verify_connectivity()
    except AuthError as exc:
        driver.close()
        pytest.fail(
            f"Neo4j at {auth.uri} rejected user {auth.user!r}: {exc}. Check TEST_NEO4J_PASSWORD.",
            pytrace=False,
        )
    except (ServiceUnavailable, Neo4jError, OSError) as exc:
        driver.close()
        pytest.fail(f"Neo4j at {auth.uri} is not reachable ({exc}): {START_HINT}", pytrace=False)
    return driver


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding pyproject.toml)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_data(repo_root: Path) -> Path:
    """``<repo>/../shared/data``: the ImageNet samples every clone finds beside it."""
    path = (repo_root.parent / "shared" / "data").resolve()
    if not path.is_dir():
        pytest.fail(
            f"shared data folder missing: {path} (tests expect a copy of shared/ beside the repository)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def neo4j_auth() -> Neo4jAuth:
    """Connection settings of a live Neo4j (checked reachable once per session)."""
    auth = neo4j_auth_from_env(os.environ)
    connect_neo4j(auth).close()
    return auth


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_auth: Neo4jAuth) -> Iterator[Any]:
    """A ``neo4j.Driver`` for the whole session, closed at the end."""
    driver = connect_neo4j(neo4j_auth)
    try:
        yield driver
    finally:
        driver.close()


@pytest.fixture
def neo4j_empty(neo4j_driver: Any) -> Any:
    """The session driver after wiping the user database (data, constraints, indexes)."""
    with neo4j_driver.session() as session:  # CALL IN TRANSACTIONS needs an auto-commit transaction
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    for record in neo4j_driver.execute_query("SHOW CONSTRAINTS YIELD name").records:
        neo4j_driver.execute_query(f"DROP CONSTRAINT `{record['name']}` IF EXISTS")
    for record in neo4j_driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'").records:
        neo4j_driver.execute_query(f"DROP INDEX `{record['name']}` IF EXISTS")
    return neo4j_driver


@pytest.fixture(autouse=True)
def _neo4j_marker_needs_server(request: pytest.FixtureRequest) -> None:
    """A test marked ``neo4j`` needs the live server even if it asks for no fixture."""
    if request.node.get_closest_marker("neo4j") is not None:
        request.getfixturevalue("neo4j_auth")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests using the Neo4j fixtures carry the ``neo4j`` marker, so ``-m neo4j`` finds them."""
    del config
    uses = {"neo4j_auth", "neo4j_driver", "neo4j_empty"}
    for item in items:
        if uses & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("neo4j") is None:
            item.add_marker(pytest.mark.neo4j)


@pytest.fixture(scope="session")
def summit_data(shared_data: Path) -> Path:
    """``../shared/data/summit-data``: Summit's published graphs and images (a subset of summit-data)."""
    path = shared_data / "summit-data"
    if not (path / "data" / "ag").is_dir():
        pytest.fail(f"Summit's published data missing: {path}/data/ag (see shared/data/summit-data/SOURCE.txt)",
                    pytrace=False)
    return path


@pytest.fixture(scope="session")
def published_artifact(summit_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared summit-data imported once per session (``summit import-summit``, quick PCA layout)."""
    from summit.ingest.summit_import import import_summit

    out = tmp_path_factory.mktemp("published") / "inceptionv1-summit"
    import_summit(summit_data, out, embedding="pca")
    return out


@pytest.fixture(scope="module")
def published_neo4j(neo4j_auth: Neo4jAuth, published_artifact: Path) -> Iterator[tuple[Any, str]]:
    """(Neo4j store, model id) with the imported published graphs loaded, dropped after the module.

    Module scope: the database is shared, and other modules expect to find only their own models.
    """
    from summit.store.neo4j_store import Neo4jStore

    store = Neo4jStore(neo4j_auth.uri, neo4j_auth.user, neo4j_auth.password)
    model = store.load_artifact(str(published_artifact))
    try:
        yield store, model
    finally:
        store.drop_model(model)
        store.close()
