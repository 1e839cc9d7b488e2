"""The layering contract, read from the import statements of every module (issue 9, §2).

- Domain code does not know the web layer: modules of `server/` other than the web edge
  (handlers, schemas, app contexts, `server.web`, the CLI) import neither aiohttp, nor
  `server.web`, nor any `schemas` module. Modules named `models`, `service`, `rules` and
  `exceptions` are held to this wherever they are. The one `schemas` module domain code may
  import is the event contract, `server.events.schemas`, which is held to the same rule.
- `procedures/` (the recipe core) and `media/` import neither the server, aiohttp, SQLAlchemy
  nor asyncpg; `headset_client/` (a separate program) imports neither the server nor SQLAlchemy.

Every import counts, including those inside functions and under `TYPE_CHECKING`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("server", "procedures", "media", "headset_client")
DOMAIN_NAMES = frozenset({"models", "service", "rules", "exceptions"})
# The web edge of the server: what serves HTTP, declares its shapes or wires the application.
EDGE_PACKAGES = ("server.web", "server.cli")
EDGE_MODULES = frozenset({"server.app", "server.__main__", "server.demo_balance"})
EDGE_NAMES = frozenset({"handlers", "schemas", "context"})
# The typed events services stage: a contract of the domain, not an API shape, so services
# may import it; it is held to the domain's rules itself.
EVENT_CONTRACT = "server.events.schemas"
PURE_FORBIDDEN = ("server", "aiohttp", "sqlalchemy", "asyncpg")
FORBIDDEN_IN = {
    "procedures": PURE_FORBIDDEN,
    "media": PURE_FORBIDDEN,
    "headset_client": ("server", "sqlalchemy", "asyncpg"),
}

# Violations still present, each with who removes it. The goal is an empty list; an entry
# that no longer occurs fails the test, so the list only shrinks.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Module:
    """A module's dotted name and every module it imports."""

    name: str
    imports: frozenset[str]

    @property
    def basename(self) -> str:
        return self.name.rsplit(".", 1)[-1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, name: str, is_package: bool, known: set[str]) -> frozenset[str]:
    """Imported module names; in `from a import b`, `a.b` when it is one of ours, else `a`."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".")[: len(name.split(".")) - node.level + is_package]
                base = ".".join([*package, base] if base else package)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known)
    return frozenset(found)


def modules() -> Iterator[Module]:
    """Every module of the project's packages (migrations are scripts Alembic loads)."""
    paths = [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]
    known = {_module_name(path) for path in paths}
    for path in paths:
        name = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        yield Module(name, _imports(tree, name, path.name == "__init__.py", known))


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


def _is_web(imported: str) -> bool:
    return (
        _within(imported, "aiohttp")
        or _within(imported, "server.web")
        or (imported.rsplit(".", 1)[-1] == "schemas" and imported != EVENT_CONTRACT)
    )


def _is_domain(module: Module) -> bool:
    if module.basename in DOMAIN_NAMES or module.name == EVENT_CONTRACT:
        return True
    edge = (
        module.name in EDGE_MODULES
        or any(_within(module.name, package) for package in EDGE_PACKAGES)
        or module.basename in EDGE_NAMES
        or module.basename.endswith(("_handlers", "_context"))
    )
    return _within(module.name, "server") and not edge


def violations(module: Module) -> set[tuple[str, str]]:
    """(module, imported) pairs that break the contract."""
    found = set()
    if _is_domain(module):
        found |= {(module.name, i) for i in module.imports if _is_web(i)}
    forbidden = FORBIDDEN_IN.get(module.name.split(".")[0], ())
    found |= {(module.name, i) for i in module.imports if any(_within(i, f) for f in forbidden)}
    return found


def test_domain_code_imports_no_web_layer_and_the_recipe_core_no_server() -> None:
    found = {pair for module in modules() for pair in violations(module)}

    assert sorted(found - ALLOWED.keys()) == [], "new layering violations"
    assert sorted(ALLOWED.keys() - found) == [], "fixed: remove these from ALLOWED"


def test_the_contract_refuses_a_service_importing_the_web_layer() -> None:
    service = Module("server.batches.service", frozenset({"aiohttp.web", "server.audit"}))
    handlers = Module("server.batches.handlers", frozenset({"aiohttp.web"}))

    assert violations(service) == {("server.batches.service", "aiohttp.web")}
    assert violations(handlers) == set()


def test_the_contract_refuses_the_recipe_core_importing_sqlalchemy() -> None:
    core = Module("procedures.guardrails", frozenset({"sqlalchemy.orm", "decimal"}))

    assert violations(core) == {("procedures.guardrails", "sqlalchemy.orm")}
