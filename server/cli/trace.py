"""`stepwise trace lot L` and `stepwise trace batch B`: genealogy trees in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from server.cli.existing import require_database
from server.config import Settings
from server.db.engine import Database
from server.genealogy import service as genealogy
from server.genealogy.service import Node


def render_tree(node: Node) -> list[str]:
    """The tree as lines drawn with box characters, one thing per line."""
    lines = [_line(node)]
    lines += _children(node, "")
    return lines


def _line(node: Node) -> str:
    return f"{node.kind.replace('_', ' ')} {node.code}  {node.label}  [{node.status}]"


def _children(node: Node, indent: str) -> list[str]:
    lines: list[str] = []
    for index, child in enumerate(node.children):
        last = index == len(node.children) - 1
        lines.append(f"{indent}{'└── ' if last else '├── '}{_line(child)}")
        lines += _children(child, indent + ("    " if last else "│   "))
    return lines


def add_trace_command(commands: Any, with_database: Any) -> None:
    """Register `trace lot|batch REF [--json]`."""
    trace = commands.add_parser("trace", help="genealogy: where a lot went, what a batch used")
    trace.add_argument("what", choices=["lot", "batch"])
    trace.add_argument("ref", help="lot number or batch number (or id)")
    trace.add_argument("--json", action="store_true", help="print the tree as JSON")

    def run(args: argparse.Namespace, settings: Settings) -> int:
        require_database(settings)

        async def work(database: Database) -> int:
            async with database.sessions(readonly=True)() as session, session.begin():
                if args.what == "lot":
                    tree = await genealogy.forward(session, args.ref)
                else:
                    tree = await genealogy.backward(session, args.ref)
            if args.json:
                print(json.dumps(tree.to_json(), indent=2))
            else:
                print("\n".join(render_tree(tree)))
            return 0

        return asyncio.run(with_database(settings, work))

    trace.set_defaults(run=run)
