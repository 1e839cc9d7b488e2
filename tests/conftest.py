"""Shared fixtures: a migrated, demo-seeded database per test on SQLite and on PostgreSQL.

Each backend is prepared once per session as a template (schema, demo users, approved sample
procedures, all through the real services); every test gets its own copy, so tests are
independent and fast. PostgreSQL must be reachable: the test command starts it.

Every event the event bus delivers during a test must follow the event contract
(`server.events.schemas`): a test during which one does not fails.

The server stack (the application, SQLAlchemy, asyncpg, aiohttp) is imported inside the
fixtures, never here: `pytest tests/procedures` runs without it (tests/architecture checks).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from aiohttp import web
    from aiohttp.test_utils import TestClient

    from server.config import Settings
    from tests.client import ApiClient

# New password hashes at argon2-cffi's cheapest profile (server.auth.passwords): verifying the
# default one costs 0.15 s of CPU, and the suite signs in and signs some five thousand times.
# Set before the server is imported, and inherited by the server processes tests start.
os.environ.setdefault("STEPWISE_PASSWORD_PROFILE", "CHEAPEST")
PG_BASE = os.environ.get("STEPWISE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]
# Tests whose database work is the same as other tests' (input refused before the database, the
# media relay and its streams) run on SQLite alone; everything else runs on both backends.
SQLITE_ONLY = pytest.mark.sqlite_only


def pg_url(database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_BASE).set(database=database).render_as_string(hide_password=False)


def _admin_dsn() -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_BASE).set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_admin(*statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_admin_dsn())
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def _seed(url: str, data_dir: Path) -> None:
    from server.config import Settings
    from server.db.engine import open_database
    from server.db.migrate import upgrade
    from server.demo import seed_demo

    await upgrade(url)
    database = open_database(url)
    try:
        await seed_demo(database, Settings(data_dir=data_dir, database_url=url))
    finally:
        await database.dispose()


# Files whose tests take half a minute or more each (server processes, browsers, the fuzzer):
# they run first, so that in a parallel run (scripts/test) they overlap the many short files
# instead of being what the run waits for at its end.
LONG_FIRST = (
    "tests/security/test_fuzzing.py",
    "tests/docs/",
    "tests/cli/",
    "tests/system/",
    "tests/scale/",
    "tests/webhooks/test_webhook_durability.py",
    "tests/browser/test_console_viewers.py",
    "tests/browser/test_console_across_processes.py",
    "tests/streams/test_across_processes.py",
    "tests/headset/test_offline.py",
    "tests/quality/test_batch_record.py",
    "tests/epcis/",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: run on the SQLite backend alone")


@pytest.hookimpl(tryfirst=True)  # before pytest's own: the fixture's params then give way
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """SQLITE_ONLY tests that take a database get the SQLite one alone (unless the test
    chooses its backends itself)."""
    chosen = any(
        "database_url" in mark.args[0] for mark in metafunc.definition.iter_markers("parametrize")
    )
    if (
        metafunc.definition.get_closest_marker("sqlite_only")
        and "database_url" in metafunc.fixturenames
        and not chosen
    ):
        metafunc.definition.add_marker(
            pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long files first, in the order listed; the rest in their usual order (stable sort)."""

    def rank(item: pytest.Item) -> int:
        return next(
            (n for n, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)),
            len(LONG_FIRST),
        )

    items.sort(key=rank)


@pytest.fixture(autouse=True)
def events_follow_the_contract(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Validate every event the bus delivers (in this process) against the event union."""
    from pydantic import ValidationError

    from server.events.bus import EventBus
    from server.events.schemas import parse_event

    broken: list[str] = []
    deliver = EventBus.deliver

    def checked(bus: EventBus, event: dict[str, Any]) -> None:
        try:
            parse_event(event)
        except ValidationError as exc:
            broken.append(f"{event}\n{exc}")
        deliver(bus, event)

    monkeypatch.setattr(EventBus, "deliver", checked)
    yield
    assert not broken, "events outside the event contract:\n" + "\n".join(broken)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.db"
    asyncio.run(_seed(f"sqlite+aiosqlite:///{path}", folder))
    return path


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    name = f"stepwise_tmpl_{os.getpid()}"
    asyncio.run(
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    )
    asyncio.run(_seed(pg_url(name), tmp_path_factory.mktemp("pg-template")))
    yield name
    asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, seeded database for one test, on each backend in turn."""
    if request.param == "sqlite":
        target = tmp_path / "stepwise.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"stepwise_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f"CREATE DATABASE {name} TEMPLATE {template}"))
    yield pg_url(name)
    asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Balances may be on loopback, where the tests' simulated balances listen."""
    from server.config import LOOPBACK, Settings

    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, balance_networks=LOOPBACK
    )


TEARDOWN_SECONDS = 45


@pytest.fixture
async def aiohttp_client() -> AsyncIterator[Callable[..., Awaitable[TestClient[Any, Any]]]]:
    """Start an application on a local port and give a client of it; both stop after the
    test (pytest-aiohttp's fixture, without importing aiohttp for tests that do not use it)."""
    from aiohttp.test_utils import TestClient, TestServer

    clients: list[TestClient[Any, Any]] = []

    async def start(app: web.Application, **kwargs: Any) -> TestClient[Any, Any]:
        client = TestClient(TestServer(app), **kwargs)
        await client.start_server()
        clients.append(client)
        return client

    yield start
    while clients:
        client = clients.pop()
        try:
            async with asyncio.timeout(TEARDOWN_SECONDS):
                await client.close()
        except TimeoutError:
            # Seen only in parallel runs on two cores, in tests of every kind: recorded as a
            # warning so the run shows it, while the test's own assertions stand.
            warnings.warn(f"the test server did not stop within {TEARDOWN_SECONDS} s", stacklevel=1)


@pytest.fixture
async def api(aiohttp_client, settings: Settings) -> AsyncIterator[ApiClient]:
    from server.app import create_app
    from tests.client import ApiClient

    client = await aiohttp_client(create_app(settings))
    yield ApiClient(client)
