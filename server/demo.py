"""Demo data for a first look: users of every role, the sample procedures (approved), and
the materials, lots and equipment they scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from procedures.loader import sample_procedure_files
from server.audit import service as audit
from server.auth import service as auth
from server.clock import ReplayClock, replaying, utcnow
from server.concurrency import run_blocking
from server.config import Settings
from server.db.engine import Database
from server.demo_genealogy import Crew, seed_genealogy
from server.demo_inventory import seed_inventory
from server.library import drafts
from server.library import service as library
from server.signatures.service import SignatureRequest


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    roles: tuple[str, ...]
    password: str


DEMO_USERS = (
    DemoUser("olivia", "Olivia Operator", ("operator",), "olivia-demo"),
    DemoUser("omar", "Omar Operator", ("operator",), "omar-demo"),
    DemoUser("sam", "Sam Supervisor", ("supervisor",), "sam-demo"),
    DemoUser("quinn", "Quinn QA", ("qa",), "quinn-demo"),
    DemoUser("alex", "Alex Author", ("author",), "alex-demo"),
    DemoUser("ada", "Ada Admin", ("admin",), "ada-demo"),
)
AUTHOR, APPROVER = "alex", "quinn"
HISTORY_BEGAN = timedelta(days=1)  # the demo history replays from this long ago


async def seed_demo(database: Database, settings: Settings, *, history: bool = False) -> None:
    """Create missing demo users; load and approve sample procedures not yet effective; the
    demo inventory. With `history`, a new demo database gets all this as of yesterday and
    four completed batches chained through their output lots (`server.demo_genealogy`)."""
    if not history or await _has_users(database):
        await _seed(database, settings)
        return
    with replaying(ReplayClock(utcnow() - HISTORY_BEGAN)) as clock:
        await _seed(database, settings)
        crew = Crew("sam", "olivia", "omar", APPROVER, _password)
        await seed_genealogy(database, settings, crew, clock)


async def _has_users(database: Database) -> bool:
    async with database.sessions()() as session:
        return await auth.get_user(session, DEMO_USERS[0].username) is not None


async def _seed(database: Database, settings: Settings) -> None:
    async with database.sessions()() as session, session.begin():
        for demo in DEMO_USERS:
            if await auth.get_user(session, demo.username) is None:
                await auth.create_user(
                    session,
                    audit.SYSTEM,
                    username=demo.username,
                    full_name=demo.full_name,
                    roles=list(demo.roles),
                    password=demo.password,
                )
    for path in sample_procedure_files():
        async with database.sessions()() as session, session.begin():
            author = await auth.get_user(session, AUTHOR)
            approver = await auth.get_user(session, APPROVER)
            assert author is not None and approver is not None
            source = await run_blocking(path.read_text)
            version = await library.load_draft(session, author, source, path.name)
            key = library.definition_of(version).key
            if version.status == "draft":
                await drafts.submit(session, author, key, version.version)
            if version.status == "in_review":
                password = _password(APPROVER)
                await library.approve(
                    session,
                    settings,
                    approver,
                    key,
                    version.version,
                    SignatureRequest(password=password, meaning="approved", username=APPROVER),
                )
    async with database.sessions()() as session, session.begin():
        users = {demo.username: await auth.get_user(session, demo.username) for demo in DEMO_USERS}
        admin, receiver, qa = users["ada"], users["sam"], users[APPROVER]
        assert admin is not None and receiver is not None and qa is not None
        await seed_inventory(
            session,
            settings,
            admin=admin,
            receiver=receiver,
            receiver_password=_password(receiver.username),
            qa=qa,
            qa_password=_password(APPROVER),
        )


def _password(username: str) -> str:
    return next(demo.password for demo in DEMO_USERS if demo.username == username)
