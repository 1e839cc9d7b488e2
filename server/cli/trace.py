"""`stepwise trace lot L`, `stepwise trace batch B` and `stepwise trace recall L`: genealogy
trees and the recall impact, at every level, in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from server.cli.existing import require_database
from server.config import Settings
from server.db.engine import Database
from server.genealogy import service as genealogy
from server.genealogy.service import Node, RecallImpact


def render_tree(node: Node) -> list[str]:
    """The tree as lines drawn with box characters, one thing per line."""
    lines = [_line(node)]
    lines += _children(node, "")
    return lines


def _line(node: Node) -> str:
    line = f"{node.kind.replace('_', ' ')} {node.code}  {node.label}  [{node.status}]"
    if "step" in node.detail:
        line += f"  {node.detail['use']} at {node.detail['step']}"
    return line


def render_recall(impact: RecallImpact) -> list[str]:
    """The batches a lot reached, level by level, then the lots made from it."""
    lines = [f"lot {impact.lot.lot_number}  {impact.lot.material.name}  [{impact.lot.status}]"]
    for item in impact.affected:
        steps = ", ".join(item.step_titles)
        lines.append(
            f"level {item.level}  batch {item.batch_number}  {item.procedure}  [{item.status}]"
            f"  via {item.via}" + (f"  at {steps}" if steps else "")
        )
    lines += [
        f"made   lot {lot.lot_number}  {lot.material.name}  [{lot.status}]" for lot in impact.lots
    ]
    if not impact.affected:
        lines.append("not used in any batch")
    return lines


def _recall_json(impact: RecallImpact) -> dict[str, Any]:
    return {
        "lot": impact.lot.lot_number,
        "affected": [item.to_json() for item in impact.affected],
        "lots": [lot.lot_number for lot in impact.lots],
    }


def _children(node: Node, indent: str) -> list[str]:
    lines: list[str] = []
    for index, child in enumerate(node.children):
        last = index == len(node.children) - 1
        lines.append(f"{indent}{'└── ' if last else '├── '}{_line(child)}")
        lines += _children(child, indent + ("    " if last else "│   "))
    return lines


def add_trace_command(commands: Any, with_database: Any) -> None:
    """Register `trace lot|batch|recall REF [--json]`."""
    trace = commands.add_parser(
        "trace", help="genealogy: where a lot went, what a batch used, what a recall reaches"
    )
    trace.add_argument("what", choices=["lot", "batch", "recall"])
    trace.add_argument("ref", help="lot number or batch number (or id)")
    trace.add_argument("--json", action="store_true", help="print the tree as JSON")

    def run(args: argparse.Namespace, settings: Settings) -> int:
        require_database(settings)

        async def work(database: Database) -> int:
            async with database.sessions(readonly=True)() as session, session.begin():
                if args.what == "recall":
                    impact = await genealogy.recall_impact(session, args.ref)
                    answer, lines = _recall_json(impact), render_recall(impact)
                else:
                    trace = genealogy.forward if args.what == "lot" else genealogy.backward
                    tree = await trace(session, args.ref)
                    answer, lines = tree.to_json(), render_tree(tree)
            print(json.dumps(answer, indent=2) if args.json else "\n".join(lines))
            return 0

        return asyncio.run(with_database(settings, work))

    trace.set_defaults(run=run)
