"""Demo data for a first look: users of every role, the sample procedures (approved), and
the materials, lots and equipment they scan."""

from __future__ import annotations

from dataclasses import dataclass

from procedures.loader import sample_procedure_files
from server.audit import service as audit
from server.auth import service as auth
from server.concurrency import run_blocking
from server.config import Settings
from server.db.engine import Database
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


async def seed_demo(database: Database, settings: Settings) -> None:
    """Create missing demo users; load and approve sample procedures not yet effective."""
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
