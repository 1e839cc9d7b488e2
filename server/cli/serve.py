"""`stepwise serve`: one server process, or `--workers N` processes sharing one port.

With N > 1 the parent binds the shared socket and one private socket per process, migrates
the database, loads the seal key and only then forks (server.serving.workers): each process
serves the shared port and its private one, whose URL is its `Settings.process_url`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

from aiohttp import web
from sqlalchemy.engine import make_url

from server import logs
from server.audit.keys import load_or_create_key
from server.config import Settings
from server.db.migrate import upgrade
from server.serving.addresses import listening_socket, port_of, process_url_for
from server.serving.exceptions import ServingFailed
from server.serving.heap import settle_heap
from server.serving.workers import supervise


def add_serve_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `serve`."""
    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument(
        "--demo", action="store_true", help="load sample procedures (approved) and demo users"
    )
    serve.add_argument(
        "--workers",
        type=_at_least_one,
        default=1,
        metavar="N",
        help="server processes on the port (PostgreSQL only when more than 1)",
    )
    serve.add_argument(
        "--worker-base-port",
        type=int,
        default=0,
        metavar="P",
        help="with --workers N: process i also listens on P+i alone (default: a free port)",
    )
    serve.add_argument(
        "--log-level",
        type=str.upper,
        choices=logs.LEVELS,
        help="default: $STEPWISE_LOG_LEVEL or INFO",
    )
    serve.add_argument(
        "--log-format",
        choices=logs.FORMATS,
        help="json: one object a line (default: $STEPWISE_LOG_FORMAT or text)",
    )
    serve.set_defaults(run=_serve)


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    logs.configure(*logs.chosen(args.log_level, args.log_format))
    settings = replace(settings, demo=args.demo)
    if args.workers > 1:
        return _serve_workers(args, settings)
    url = process_url_for(settings.process_url, args.host, args.port)
    app = serving_app(replace(settings, process_url=url), migrate=True)
    print(f"Stepwise on http://{args.host}:{args.port}/ (database: {_where(settings)})", flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)
    return 0


def serving_app(settings: Settings, *, migrate: bool) -> web.Application:
    """The application `serve` runs: the demo's parts with `--demo`, and the heap settled
    once it has started (server.serving.heap)."""
    # Imported here, not at the top: the application (aiortc, OpenCV, every handler) is what
    # only `serve` needs, and every other command starts in a second instead of several.
    from server.app import create_app
    from server.demo import DEMO_USERS, seed_demo
    from server.demo_balance import api as demo_balance_api
    from server.demo_balance import run_demo_balance
    from server.demo_history import seed_demo_history
    from server.web.keys import DATABASE

    if not settings.demo:
        app = create_app(settings, migrate=migrate)
        app.on_startup.append(settled_heap)
        return app
    app = create_app(settings, [demo_balance_api], migrate=migrate)

    async def demo(app: web.Application) -> AsyncIterator[None]:
        await seed_demo(app[DATABASE], settings, history=True)
        await seed_demo_history(app[DATABASE])
        print("Demo users (for the demo only):", flush=True)
        for user in DEMO_USERS:
            print(f"  {user.username:<8} {user.password:<13} {', '.join(user.roles)}", flush=True)
        yield

    app.cleanup_ctx.extend([demo, run_demo_balance])
    app.on_startup.append(settled_heap)
    return app


async def settled_heap(_app: web.Application) -> None:
    """An `on_startup` hook: runs after the cleanup contexts have started (database,
    sealer, streams), so what they built is frozen too (server.serving.heap)."""
    settle_heap()


def _where(settings: Settings) -> str:
    return settings.effective_database_url.split("@")[-1]


def _refusal(args: argparse.Namespace, settings: Settings) -> str | None:
    """Why `--workers N` cannot run with these settings, if it cannot."""
    if make_url(settings.effective_database_url).get_backend_name() != "postgresql":
        return (
            f"--workers {args.workers} needs PostgreSQL (DATABASE_URL): SQLite has one writer "
            "at a time and its events reach only the process that wrote them"
        )
    if settings.demo:
        return "--demo runs in one process (its simulated balance is one); leave out --workers"
    if settings.process_url is not None and "{port}" not in settings.process_url:
        return "with --workers, STEPWISE_PROCESS_URL must contain {port}: each process has its own"
    return None


def _serve_workers(args: argparse.Namespace, settings: Settings) -> int:
    if (refusal := _refusal(args, settings)) is not None:
        raise ServingFailed(refusal)
    shared = listening_socket(args.host, args.port)
    private = [
        listening_socket(args.host, args.worker_base_port + n if args.worker_base_port else 0)
        for n in range(args.workers)
    ]
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(upgrade(settings.effective_database_url))
    load_or_create_key(settings.effective_audit_key_file)  # once, not raced by every process
    print(
        f"Stepwise on http://{args.host}:{port_of(shared)}/ in {args.workers} processes "
        f"(database: {_where(settings)})",
        flush=True,
    )
    supervise(args.workers, _worker(args.host, settings, shared, private))
    return 0


def _worker(
    host: str, settings: Settings, shared: socket.socket, private: list[socket.socket]
) -> Callable[[int, Callable[[], None]], None]:
    """What process `number` runs: the app on the shared socket and its own."""

    def serve(number: int, ready: Callable[[], None]) -> None:
        own = private[number]
        for other in private:
            if other is not own:
                other.close()
        url = process_url_for(settings.process_url, host, port_of(own))
        app = serving_app(replace(settings, process_url=url), migrate=False)

        async def serving(_app: web.Application) -> None:
            print(f"process {number} (pid {os.getpid()}) on {url}", flush=True)
            ready()

        app.on_startup.append(serving)
        web.run_app(app, sock=[shared, own], print=None, access_log=None)

    return serve
