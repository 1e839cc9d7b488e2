"""Reading procedure files (YAML) into validated models, with errors that name path and line."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from procedures.exceptions import DefinitionInvalid, ProcedureFileInvalid
from procedures.locations import Loc, format_path, json_pointer
from procedures.model import Procedure

SAMPLES_DIR = Path(__file__).parent / "samples"
SCHEMA_ID = "urn:stepwise:schema:procedure:v1"

_MESSAGES = {"extra_forbidden": "unknown field", "missing": "missing required field"}


@dataclass(frozen=True)
class FileIssue:
    """One problem in a procedure file; `path` like `operations[0].steps[2]`, `line` 1-based."""

    path: str
    line: int | None
    message: str


def load_procedure_file(path: Path) -> Procedure:
    """Load and validate a procedure file; ProcedureFileInvalid if it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProcedureFileInvalid(str(path), [FileIssue("", None, f"cannot read: {exc}")]) from exc
    return load_procedure_text(text, str(path))


def load_procedure_text(text: str, filename: str) -> Procedure:
    """Parse and validate procedure YAML; `filename` only labels the errors."""
    root, data = _parse_yaml(text, filename)
    if not isinstance(data, dict):
        issue = FileIssue("", _line(root, ()), "the file must be a mapping of procedure fields")
        raise ProcedureFileInvalid(filename, [issue])
    try:
        return Procedure.model_validate(data)
    except ValidationError as exc:
        issues = [_file_issue(root, error) for error in exc.errors()]
        raise ProcedureFileInvalid(filename, issues) from exc


def validate_definition(data: object) -> Procedure:
    """Validate a procedure document (the JSON form of a file); DefinitionInvalid lists every
    problem at its JSON pointer, with the same messages the file loader gives."""
    if not isinstance(data, dict):
        raise DefinitionInvalid([("", "the definition must be an object of procedure fields")])
    try:
        return Procedure.model_validate(data)
    except ValidationError as exc:
        raise DefinitionInvalid(
            [(json_pointer(error["loc"]), _message(error)) for error in exc.errors()]
        ) from exc


def sample_procedure_files() -> list[Path]:
    """The sample procedures shipped with the package, sorted by name."""
    return sorted(SAMPLES_DIR.glob("*.yaml"))


def content_hash(procedure: Procedure) -> str:
    """SHA-256 (hex) of the procedure's canonical JSON: equal content, equal hash."""
    canonical = json.dumps(procedure.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def procedure_json_schema() -> dict[str, Any]:
    """JSON Schema of a procedure file, for editors and external validation."""
    schema = Procedure.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "Stepwise procedure",
    }


def _parse_yaml(text: str, filename: str) -> tuple[yaml.Node, object]:
    """The composed node tree (for line numbers) and the plain data built from it."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise ProcedureFileInvalid(filename, [FileIssue("", None, "the file is empty")])
        duplicates = list(_duplicate_keys(root, (), set()))
        if duplicates:
            raise ProcedureFileInvalid(filename, duplicates)
        return root, loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = f"{exc.problem} ({exc.context})" if exc.context else exc.problem
        message = f"YAML syntax error: {reason}"
        raise ProcedureFileInvalid(filename, [FileIssue("", line, message)]) from exc
    except yaml.YAMLError as exc:
        raise ProcedureFileInvalid(filename, [FileIssue("", None, f"YAML error: {exc}")]) from exc
    except ValueError as exc:  # a scalar PyYAML cannot build, such as the date 2025-13-01
        raise ProcedureFileInvalid(
            filename, [FileIssue("", None, f"invalid value: {exc}")]
        ) from exc
    finally:
        loader.dispose()


def _duplicate_keys(node: yaml.Node, loc: Loc, seen: set[int]) -> Iterator[FileIssue]:
    """Mapping keys given twice; PyYAML would silently keep the last one."""
    if id(node) in seen:  # an alias: its anchor was checked already
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name is not None and name in keys:
                yield FileIssue(
                    format_path((*loc, name)), key.start_mark.line + 1, f"duplicate key {name!r}"
                )
            keys.add(name)
            yield from _duplicate_keys(value, (*loc, name or "?"), seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*loc, index), seen)


def _file_issue(root: yaml.Node, error: ErrorDetails) -> FileIssue:
    """A pydantic error as a file issue, with the line of the deepest node on its path."""
    return FileIssue(format_path(error["loc"]), _line(root, error["loc"]), _message(error))


def _message(error: ErrorDetails) -> str:
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    return _MESSAGES.get(error["type"], error["msg"])


def _line(root: yaml.Node, loc: Loc) -> int:
    """1-based line of the deepest node that exists along `loc` (a key's line for mappings)."""
    node, line = root, root.start_mark.line
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(
                (pair for pair in node.value if getattr(pair[0], "value", None) == part), None
            )
            if match is None:
                break
            line, node = match[0].start_mark.line, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line
        else:
            break
    return line + 1
