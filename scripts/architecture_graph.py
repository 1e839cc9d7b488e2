"""Draw docs/architecture.svg from the code: the layers, the packages in each, and how they import.

Every module is put in a layer by what it is (a handler or an API schema is web, a service or a
model is domain, ...); a box is a package's part in one layer. Imports that go down a layer
are counted on the arrows between the bands; an import that goes up (a layering violation) is
drawn red from box to box. Imports within a layer are not drawn. A test checks the committed
picture is the one this script draws, so it cannot drift from the code.

    .venv/bin/python scripts/architecture_graph.py [--check]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter, defaultdict
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "architecture.svg"
TOP_LEVEL = ("procedures", "media", "server", "headset_client")
LAYERS = (
    ("clients", "headset client: the same API as every device", "#fde2c8"),
    ("composition", "composition root, CLI, demo, table registry", "#e6d0f0"),
    ("web", "dispatcher, handlers, API schemas, app state", "#f4cccc"),
    ("domain", "services, models, rules, domain errors", "#fff2cc"),
    ("infrastructure", "database, events, errors, settings, clock", "#d0e0f0"),
    ("core", "pure: recipes, guardrails, codes, images", "#d9ead3"),
)
COMPOSITION = {"app", "demo", "demo_balance", "demo_inventory", "__main__"}
INFRASTRUCTURE = {"errors", "config", "clock", "ids", "canonical", "concurrency", "networks"}
PER_LINE, BOX_W, BOX_H, GAP, BAND_GAP, MARGIN, LABEL_W = 8, 118, 26, 10, 46, 16, 250


def layer_of(module: str) -> str:
    """The layer a module belongs to, by what it is."""
    parts = module.split(".")
    top, rest = parts[0], parts[1:]
    if top == "headset_client":
        return "clients"
    if top in {"procedures", "media"}:
        return "core"
    name = rest[-1] if rest else ""
    if not rest or rest[0] in COMPOSITION or rest[0] == "cli":
        return "composition"
    if rest[0] == "db":
        return (
            "composition"
            if name in {"models", "migrate"} or "migrations" in rest
            else ("infrastructure")
        )
    if rest[0] in INFRASTRUCTURE or (rest[0] == "events" and name != "handlers"):
        return "infrastructure"
    if rest[0] == "web":
        return "web"
    if name in {"handlers", "schemas", "context"} or name.endswith(("_handlers", "_context")):
        return "web"  # app contexts hold application state: web edge, as in the layering test
    return "domain"


def package_of(module: str) -> str:
    """The package a module belongs to: `server.<domain>` for server code, else its top."""
    parts = module.split(".")
    if parts[0] == "server" and len(parts) > 1 and (ROOT / "server" / parts[1]).is_dir():
        return f"server.{parts[1]}"
    return parts[0]


def _module_names() -> dict[str, Path]:
    names = {}
    for top in TOP_LEVEL:
        for path in sorted((ROOT / top).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            names[module.removesuffix(".__init__")] = path
    return names


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                anchor = module.split(".")[: -node.level]
                base = ".".join([*anchor, node.module])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


Box = tuple[str, str]  # (layer, package)


def import_graph() -> dict[Box, Counter[Box]]:
    """Each box → how many imports it makes of each other box."""
    modules = _module_names()
    graph: dict[Box, Counter[Box]] = defaultdict(Counter)
    for module, path in modules.items():
        source = (layer_of(module), package_of(module))
        graph[source]
        for name in _imports(path, module):
            while name and name not in modules:
                name = name.rpartition(".")[0]  # `from x import y`: y may be a name in x
            target = (layer_of(name), package_of(name)) if name else None
            if target is not None and target != source:
                graph[source][target] += 1
    return dict(graph)


def _rank(layer: str) -> int:
    return [name for name, _, _ in LAYERS].index(layer)


def draw(graph: dict[Box, Counter[Box]]) -> str:
    """The picture as SVG text."""
    boxes = sorted({*graph, *(t for targets in graph.values() for t in targets)})
    width = 2 * MARGIN + LABEL_W + PER_LINE * (BOX_W + GAP)
    where: dict[Box, tuple[float, float]] = {}
    bands: list[tuple[str, str, str, float, float]] = []
    y = MARGIN
    for layer, caption, colour in LAYERS:
        members = [package for name, package in boxes if name == layer]
        lines = max(1, -(-len(members) // PER_LINE))
        height = lines * BOX_H + (lines + 1) * GAP
        bands.append((layer, caption, colour, y, height))
        for i, package in enumerate(members):
            row, col = divmod(i, PER_LINE)
            where[(layer, package)] = (
                MARGIN + LABEL_W + col * (BOX_W + GAP),
                y + GAP + row * (BOX_H + GAP),
            )
        y += height + BAND_GAP
    total_h = y - BAND_GAP + MARGIN + 22
    down: Counter[tuple[str, str]] = Counter()
    up: list[tuple[Box, Box, int]] = []
    for source, targets in sorted(graph.items()):
        for target, count in sorted(targets.items()):
            if _rank(target[0]) > _rank(source[0]):
                down[(source[0], target[0])] += count
            elif _rank(target[0]) < _rank(source[0]):
                up.append((source, target, count))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{total_h:.0f}" '
        f'viewBox="0 0 {width:.0f} {total_h:.0f}" font-family="sans-serif" font-size="12">',
        '<defs><marker id="r" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#c00"/></marker>'
        '<marker id="g" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#666"/></marker></defs>',
        f'<rect width="{width:.0f}" height="{total_h:.0f}" fill="white"/>',
    ]
    band_y = {layer: (top, height) for layer, _, _, top, height in bands}
    for layer, caption, colour, top, height in bands:
        out.append(
            f'<rect x="{MARGIN}" y="{top:.0f}" width="{width - 2 * MARGIN:.0f}" '
            f'height="{height:.0f}" rx="8" fill="{colour}" stroke="#999"/>'
            f'<text x="{MARGIN + 10}" y="{top + 20:.0f}" font-weight="bold">{layer}</text>'
            f'<text x="{MARGIN + 10}" y="{top + 36:.0f}" fill="#444" font-size="10">'
            f"{escape(caption)}</text>"
        )
    for i, ((source, target), count) in enumerate(sorted(down.items())):
        (s_top, s_h), (t_top, _) = band_y[source], band_y[target]
        x = MARGIN + 150 + i % 4 * 24
        out.append(
            f'<line x1="{x}" y1="{s_top + s_h:.0f}" x2="{x}" y2="{t_top:.0f}" stroke="#666" '
            f'marker-end="url(#g)"/><text x="{x + 3}" y="{s_top + s_h + 14:.0f}" '
            f'font-size="10" fill="#444">{count}</text>'
        )
    for (_layer, package), (x, y0) in sorted(where.items()):
        label = package.removeprefix("server.")
        out.append(
            f'<rect x="{x:.0f}" y="{y0:.0f}" width="{BOX_W}" height="{BOX_H}" rx="4" '
            f'fill="white" stroke="#555"/><text x="{x + BOX_W / 2:.0f}" y="{y0 + 17:.0f}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for source, target, count in up:
        (sx, sy), (tx, ty) = where[source], where[target]
        out.append(
            f'<line x1="{sx + BOX_W / 2:.0f}" y1="{sy:.0f}" x2="{tx + BOX_W / 2:.0f}" '
            f'y2="{ty + BOX_H:.0f}" stroke="#c00" stroke-width="1.5" marker-end="url(#r)">'
            f"<title>{escape(source[1])} ({source[0]}) imports {escape(target[1])} "
            f"({target[0]}) {count}x</title></line>"
        )
    out.append(
        f'<text x="{MARGIN}" y="{total_h - 10:.0f}" fill="#555">Grey: imports down a layer '
        f"(counted). Red: imports up a layer, which the layering contract forbids "
        f"({len(up)} now). Drawn from the code by scripts/architecture_graph.py.</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the picture is stale")
    args = parser.parse_args()
    picture = draw(import_graph())
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text() != picture:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run scripts/architecture_graph.py")
            return 1
        return 0
    OUTPUT.write_text(picture)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
