"""`stepwise demo seed --batches N`: the demo users, samples and inventory, then N historical
batches of each sample procedure for process analytics."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from server.config import Settings
from server.db.engine import Database
from server.demo import seed_demo
from server.demo_history import DEMO_HISTORY_BATCHES, seed_demo_history

WithDatabase = Callable[[Settings, Callable[[Database], Awaitable[int]]], Awaitable[int]]


def add_demo_commands(commands: Any, with_database: WithDatabase) -> None:
    demo = commands.add_parser("demo", help="demo data").add_subparsers(dest="demo", required=True)
    seed = demo.add_parser("seed", help="demo users and samples, then historical batches")
    seed.add_argument(
        "--batches",
        type=int,
        default=DEMO_HISTORY_BATCHES,
        help=f"historical batches per sample procedure (default {DEMO_HISTORY_BATCHES})",
    )

    def run(args: argparse.Namespace, settings: Settings) -> int:
        async def work(database: Database) -> int:
            await seed_demo(database, settings)
            added = await seed_demo_history(database, max(args.batches, 0))
            print(f"{added} historical batches added", flush=True)
            return 0

        return asyncio.run(with_database(settings, work))

    seed.set_defaults(run=run)
