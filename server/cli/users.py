"""`stepwise users ...`: accounts from the command line (§11.300), for the first administrator
and for recovery when no administrator can sign in. Changes name the operating-system user as
the actor in the audit trail and need a `--reason`."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth import accounts
from server.auth import service as auth
from server.auth.models import User
from server.auth.password_rules import check_new_password
from server.auth.passwords import NewPassword
from server.auth.roles import ROLES
from server.cli.errors import CommandFailed
from server.cli.existing import require_database
from server.config import Settings
from server.db.engine import Database

WithDatabase = Callable[[Settings, Callable[[Database], Awaitable[int]]], int]
Change = Callable[[AsyncSession, audit.Actor, User, argparse.Namespace], Awaitable[str]]


def _command_line_actor() -> audit.Actor:
    try:
        who = getpass.getuser()
    except (OSError, KeyError):
        who = "unknown"
    return audit.Actor(None, f"command line ({who})")


def _reading(
    settings: Settings, with_database: WithDatabase, work: Callable[[Database], Awaitable[int]]
) -> int:
    require_database(settings)
    return with_database(settings, work)


def _state(user: User) -> str:
    states = ["active" if user.active else "deactivated"]
    if user.locked_until is not None:
        states.append(f"locked until {user.locked_until.isoformat()}")
    if user.must_change_password:
        states.append("must change password")
    return ", ".join(states)


async def _list(database: Database) -> int:
    async with database.sessions(readonly=True)() as session, session.begin():
        for user in await auth.list_users(session):
            print(f"{user.username:<16} {','.join(user.roles):<24} {_state(user)}")
    return 0


def _add(args: argparse.Namespace, settings: Settings, with_database: WithDatabase) -> int:
    if not args.password_stdin:
        raise CommandFailed("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\n")
    check_new_password(settings, password, username=args.username)

    async def work(database: Database) -> int:
        async with database.sessions()() as session, session.begin():
            user = await auth.create_user(
                session,
                _command_line_actor(),
                username=args.username,
                full_name=args.full_name,
                roles=args.role,
                password=password,
            )
        print(f"user {user.username} created with roles {', '.join(user.roles)}")
        return 0

    return with_database(settings, work)


async def _deactivate(session: AsyncSession, actor: audit.Actor, user: User, args: Any) -> str:
    await accounts.deactivate(session, actor, None, user, args.reason)
    return f"user {user.username} deactivated; their sessions ended"


async def _activate(session: AsyncSession, actor: audit.Actor, user: User, args: Any) -> str:
    await accounts.activate(session, actor, user, args.reason)
    return f"user {user.username} reactivated"


async def _unlock(session: AsyncSession, actor: audit.Actor, user: User, args: Any) -> str:
    await accounts.unlock(session, actor, user, args.reason)
    return f"user {user.username} unlocked"


async def _reset(session: AsyncSession, actor: audit.Actor, user: User, args: Any) -> str:
    temporary = await NewPassword.temporary()
    await accounts.reset_password(session, actor, user, args.reason, temporary)
    return (
        f"temporary password for {user.username}: {temporary.text} (to be changed at next sign-in)"
    )


async def _set_roles(session: AsyncSession, actor: audit.Actor, user: User, args: Any) -> str:
    await accounts.set_roles(session, actor, None, user, args.role, args.reason)
    return f"user {user.username} now has roles {', '.join(user.roles)}"


async def _revoke(session: AsyncSession, actor: audit.Actor, user: User, args: Any) -> str:
    revoked = await accounts.revoke_all_sessions(session, actor, user, args.reason)
    return f"{revoked} sessions of {user.username} revoked"


def _changing(change: Change, with_database: WithDatabase) -> Callable[..., int]:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        async def work(database: Database) -> int:
            async with database.sessions()() as session, session.begin():
                user = await accounts.user_by_name(session, args.username)
                said = await change(session, _command_line_actor(), user, args)
            print(said)
            return 0

        return with_database(settings, work)

    return run


def add_users_commands(commands: Any, with_database: WithDatabase) -> None:
    """Register `users add|list|deactivate|activate|unlock|reset-password|set-roles|
    revoke-sessions`."""
    users = commands.add_parser("users", help="user accounts").add_subparsers(
        dest="users", required=True
    )
    add = users.add_parser("add", help="create a user")
    add.add_argument("username")
    add.add_argument("--full-name", required=True)
    add.add_argument("--role", action="append", required=True, choices=sorted(ROLES))
    add.add_argument("--password-stdin", action="store_true")
    add.set_defaults(run=lambda args, settings: _add(args, settings, with_database))
    users.add_parser("list", help="every user, their roles and state").set_defaults(
        run=lambda _args, settings: _reading(settings, with_database, _list)
    )
    changes: list[tuple[str, str, Change]] = [
        ("deactivate", "no sign-in or signing; end their sessions", _deactivate),
        ("activate", "reactivate a deactivated user", _activate),
        ("unlock", "lift a lock-out after failed sign-ins", _unlock),
        ("reset-password", "print a temporary password to change at sign-in", _reset),
        ("set-roles", "replace the user's roles", _set_roles),
        ("revoke-sessions", "end every session of the user", _revoke),
    ]
    for name, summary, change in changes:
        command = users.add_parser(name, help=summary)
        command.add_argument("username")
        command.add_argument("--reason", required=True, help="why, for the audit trail")
        if name == "set-roles":
            command.add_argument("--role", action="append", required=True, choices=sorted(ROLES))
        command.set_defaults(run=_changing(change, with_database))
