"""What changed between two versions of a procedure, in the procedure's own terms.

Steps and operations are matched by id, inputs, calculations and parameters by name, so a
reordered list reads as a move and a renamed limit as a change of that limit, not as a wall
of changed lines. QA reads this before approving; the approval keeps it in the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from procedures.locations import Loc, json_pointer
from procedures.model import Procedure

ChangeKind = Literal["limit", "expression", "field"]
# Fields holding an expression: a condition, a calculation, a dispense target.
_EXPRESSIONS = frozenset({"expression", "when", "target"})
# List items are matched by these fields (the first an item has).
_ITEM_KEYS = ("id", "name")


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs: `field` reads like `inputs.ph.limits.alert_max` (list
    items named by their name), `pointer` is the JSON pointer in the newer version (in the
    older one when the field was removed); `None` as old or new means absent."""

    field: str
    pointer: str
    kind: ChangeKind
    old: Any
    new: Any


@dataclass(frozen=True)
class Placement:
    """Where a step (or an operation) stands: its operation and 0-based index in it."""

    operation: str
    index: int


@dataclass(frozen=True)
class StepEntry:
    """A step added or removed, with where it stands."""

    id: str
    title: str
    at: Placement


@dataclass(frozen=True)
class StepMove:
    """A step found in both versions but in another place relative to the others."""

    id: str
    title: str
    old: Placement
    new: Placement


@dataclass(frozen=True)
class StepChange:
    """A step in both versions whose definition differs."""

    id: str
    title: str
    operation: str
    changes: list[FieldChange]


@dataclass(frozen=True)
class OperationEntry:
    id: str
    title: str
    index: int


@dataclass(frozen=True)
class ProcedureDiff:
    """Everything that differs; `procedure` holds the fields outside operations (title,
    parameters, hold policy), `operations` the operations' own fields (title)."""

    procedure: list[FieldChange] = field(default_factory=list)
    operations_added: list[OperationEntry] = field(default_factory=list)
    operations_removed: list[OperationEntry] = field(default_factory=list)
    operations_moved: list[OperationEntry] = field(default_factory=list)
    operations_changed: list[StepChange] = field(default_factory=list)
    steps_added: list[StepEntry] = field(default_factory=list)
    steps_removed: list[StepEntry] = field(default_factory=list)
    steps_moved: list[StepMove] = field(default_factory=list)
    steps_changed: list[StepChange] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not any(asdict(self).values())

    def as_json(self) -> dict[str, Any]:
        """The JSON shape of the API's diff (README, "Authoring procedures")."""
        data = asdict(self)
        return {
            "unchanged": self.unchanged,
            "procedure": data["procedure"],
            "operations": {
                "added": data["operations_added"],
                "removed": data["operations_removed"],
                "moved": data["operations_moved"],
                "changed": data["operations_changed"],
            },
            "steps": {
                "added": data["steps_added"],
                "removed": data["steps_removed"],
                "moved": data["steps_moved"],
                "changed": data["steps_changed"],
            },
        }

    def summary(self) -> dict[str, list[str]]:
        """Ids of what changed, short enough for an audit entry of every draft edit."""
        return {
            name: ids
            for name, ids in (
                ("procedure", [change.field for change in self.procedure]),
                ("operations_added", [o.id for o in self.operations_added]),
                ("operations_removed", [o.id for o in self.operations_removed]),
                ("operations_moved", [o.id for o in self.operations_moved]),
                ("operations_changed", [o.id for o in self.operations_changed]),
                ("steps_added", [s.id for s in self.steps_added]),
                ("steps_removed", [s.id for s in self.steps_removed]),
                ("steps_moved", [s.id for s in self.steps_moved]),
                ("steps_changed", [s.id for s in self.steps_changed]),
            )
            if ids
        }


def diff_procedures(old: Procedure, new: Procedure) -> ProcedureDiff:
    """The semantic difference from `old` to `new`."""
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    outer = [name for name in after if name != "operations"]
    procedure = [
        change
        for name in outer
        for change in _changes(before.get(name), after.get(name), (name,), (name,))
    ]
    diff = ProcedureDiff(procedure=procedure)
    _diff_operations(before["operations"], after["operations"], diff)
    _diff_steps(before["operations"], after["operations"], diff)
    return diff


def _diff_operations(
    old: list[dict[str, Any]], new: list[dict[str, Any]], diff: ProcedureDiff
) -> None:
    old_ids, new_ids = [o["id"] for o in old], [o["id"] for o in new]
    old_by_id = {o["id"]: o for o in old}
    for index, operation in enumerate(new):
        if operation["id"] not in old_by_id:
            diff.operations_added.append(OperationEntry(operation["id"], operation["title"], index))
    for index, operation in enumerate(old):
        if operation["id"] not in new_ids:
            diff.operations_removed.append(
                OperationEntry(operation["id"], operation["title"], index)
            )
    kept = _moved([i for i in old_ids if i in new_ids], [i for i in new_ids if i in old_ids])
    for index, operation in enumerate(new):
        if operation["id"] in kept:
            diff.operations_moved.append(OperationEntry(operation["id"], operation["title"], index))
        if operation["id"] not in old_by_id:
            continue
        before = old_by_id[operation["id"]]
        changes = [
            change
            for name in operation
            if name != "steps"
            for change in _changes(
                before.get(name), operation.get(name), (name,), ("operations", index, name)
            )
        ]
        if changes:
            diff.operations_changed.append(
                StepChange(operation["id"], operation["title"], operation["id"], changes)
            )


def _placed(operations: list[dict[str, Any]]) -> dict[str, tuple[Placement, Loc, dict[str, Any]]]:
    return {
        step["id"]: (Placement(operation["id"], index), ("operations", o, "steps", index), step)
        for o, operation in enumerate(operations)
        for index, step in enumerate(operation["steps"])
    }


def _diff_steps(old: list[dict[str, Any]], new: list[dict[str, Any]], diff: ProcedureDiff) -> None:
    before, after = _placed(old), _placed(new)
    for step_id, (at, _, step) in after.items():
        if step_id not in before:
            diff.steps_added.append(StepEntry(step_id, step["title"], at))
    for step_id, (at, _, step) in before.items():
        if step_id not in after:
            diff.steps_removed.append(StepEntry(step_id, step["title"], at))
    common_old = [step_id for step_id in before if step_id in after]
    common_new = [step_id for step_id in after if step_id in before]
    out_of_order = _moved(common_old, common_new)
    for step_id in common_new:
        old_at, _, _ = before[step_id]
        new_at, loc, step = after[step_id]
        if step_id in out_of_order or old_at.operation != new_at.operation:
            diff.steps_moved.append(StepMove(step_id, step["title"], old_at, new_at))
        changes = list(_changes(before[step_id][2], step, (), loc))
        if changes:
            diff.steps_changed.append(StepChange(step_id, step["title"], new_at.operation, changes))


def _moved(old: Sequence[str], new: Sequence[str]) -> set[str]:
    """The ids outside a longest common subsequence: the fewest items that moved."""
    lengths = [[0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i in range(len(old) - 1, -1, -1):
        for j in range(len(new) - 1, -1, -1):
            lengths[i][j] = (
                lengths[i + 1][j + 1] + 1
                if old[i] == new[j]
                else max(lengths[i + 1][j], lengths[i][j + 1])
            )
    stayed: set[str] = set()
    i = j = 0
    while i < len(old) and j < len(new):
        if old[i] == new[j]:
            stayed.add(old[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return set(new) - stayed


def item_key(items: list[Any]) -> str | None:
    """The field identifying each item of a list of objects (`id`, `name`), if every item has it."""
    for key in _ITEM_KEYS:
        if items and all(isinstance(item, dict) and key in item for item in items):
            return key
    return None


def _kind(path: Loc) -> ChangeKind:
    if "limits" in path:
        return "limit"
    if path and path[-1] in _EXPRESSIONS:
        return "expression"
    return "field"


def _change(path: Loc, pointer: Loc, old: Any, new: Any) -> FieldChange:
    field_name = ".".join(str(part) for part in path)
    return FieldChange(field_name, json_pointer(pointer), _kind(path), old, new)


def _changes(old: Any, new: Any, path: Loc, pointer: Loc) -> Iterator[FieldChange]:
    """Leaf differences; objects recurse by field, lists of named objects by name."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for name in [*new, *(name for name in old if name not in new)]:
            yield from _changes(old.get(name), new.get(name), (*path, name), (*pointer, name))
        return
    if isinstance(old, list) and isinstance(new, list):
        key = item_key(old + new)
        if key is not None:
            yield from _list_changes(old, new, key, path, pointer)
            return
    yield _change(path, pointer, old, new)


def _list_changes(
    old: list[dict[str, Any]], new: list[dict[str, Any]], key: str, path: Loc, pointer: Loc
) -> Iterator[FieldChange]:
    old_by_key = {item[key]: (index, item) for index, item in enumerate(old)}
    new_keys = [item[key] for item in new]
    for index, item in enumerate(new):
        found = old_by_key.get(item[key])
        yield from _changes(
            found[1] if found else None, item, (*path, item[key]), (*pointer, index)
        )
    for index, item in enumerate(old):
        if item[key] not in new_keys:
            yield _change((*path, item[key]), (*pointer, index), item, None)
    common_old = [item[key] for item in old if item[key] in new_keys]
    common_new = [name for name in new_keys if name in old_by_key]
    if common_old != common_new:
        yield _change((*path, "order"), pointer, common_old, common_new)
