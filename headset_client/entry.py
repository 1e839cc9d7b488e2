"""From the words an operator said to typed values of the active step's inputs. Pure.

Numbers, choices and yes/no are understood the way they are spoken; hard limits are checked as
soon as a value is said (the whole step is checked again, by the same guardrails, on confirm).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from headset_client.exceptions import EntryRefused
from procedures.exceptions import StepRejected
from procedures.guardrails import StepOutcome, evaluate_step
from procedures.model import DISPENSE_SCANS, Input, Step

_YES = {"yes", "y", "true", "ok", "okay", "checked", "done", "affirmative"}
_NO = {"no", "n", "false", "not", "negative"}
_INTEGER = re.compile(r"[+-]?\d+")
_TYPED = ("number", "text", "choice", "boolean")


@dataclass(frozen=True)
class SaidValue:
    """A value for one input; `note` is what the operator should hear about it, if anything."""

    name: str
    value: Any
    note: str | None = None


def value_entry(step: Step, drafts: Mapping[str, Any], text: str) -> SaidValue:
    """`value [NAME] X`: the input meant (named, or the first without a value) and X typed."""
    item, raw = _named(step, text, (*_TYPED, "scan"))
    if item is None:
        item = _first_open(step, drafts, _TYPED, "value NAME X")
    if item.type == "photo":
        raise EntryRefused(f"{item.label} is a photo: say 'photo {item.name}'")
    value = typed_value(item, raw)
    return SaidValue(item.name, value, _limit_note(item, value))


def check_entries(step: Step, drafts: Mapping[str, Any], text: str) -> list[SaidValue]:
    """`check`, `check all`, `check NAME`: checklist items (boolean inputs) ticked."""
    booleans = [item for item in step.inputs if item.type == "boolean"]
    if not booleans:
        raise EntryRefused("this step has nothing to tick")
    if text.lower() == "all":
        return [SaidValue(item.name, True) for item in booleans]
    if text:
        item = next((i for i in booleans if i.name == text), None)
        if item is None:
            raise EntryRefused(f"nothing to tick called {text!r}", _names(booleans))
        return [SaidValue(item.name, True)]
    return [SaidValue(_first_open(step, drafts, ("boolean",), "check NAME").name, True)]


def scan_target(step: Step, drafts: Mapping[str, Any], text: str) -> tuple[str, str]:
    """`scan [NAME] [TEXT]`: which scan the code is for, and its text ("" = use the camera)."""
    names = scan_names(step)
    if not names:
        raise EntryRefused("this step has nothing to scan")
    first, _, rest = text.partition(" ")
    if first in names:
        return first, rest.strip()
    open_names = [name for name in names if _absent(drafts.get(name))]
    return (open_names or names)[0], text


def photo_target(step: Step, drafts: Mapping[str, Any], name: str) -> str:
    """`photo [NAME]`: the photo input the picture is for."""
    photos = [item for item in step.inputs if item.type == "photo"]
    if not photos:
        raise EntryRefused("this step takes no photo")
    if name:
        if name not in {item.name for item in photos}:
            raise EntryRefused(f"no photo called {name!r}", _names(photos))
        return name
    return _first_open(step, drafts, ("photo",), "photo NAME").name


def scan_names(step: Step) -> list[str]:
    """The values a step takes by scanning: scan inputs, and a dispense's balance and lot."""
    names = [item.name for item in step.inputs if item.type == "scan"]
    return [*names, *DISPENSE_SCANS] if step.dispense is not None else names


def typed_value(item: Input, raw: str) -> Any:
    """`raw` as the input's type: a number, true/false, one of the choices, or text."""
    raw = raw.strip()
    if item.type == "number":
        return _number(item, raw)
    if item.type == "boolean":
        word = raw.lower()
        if word in _YES or word in _NO:
            return word in _YES
        raise EntryRefused(f"{item.label}: say yes or no")
    if item.type == "choice":
        return _choice(item, raw)
    return raw


def check_step(
    step: Step, values: Mapping[str, Any], context: Mapping[str, Any], comment: str | None
) -> StepOutcome:
    """The server's guardrails on a completion, run here first; EntryRefused lists problems."""
    own = {*DISPENSE_SCANS, step.dispense.name} if step.dispense is not None else set()
    proposed = {name: value for name, value in values.items() if name not in own}
    try:
        return evaluate_step(step, proposed, context, comment)
    except StepRejected as exc:
        problems = [f"{problem.field}: {problem.message}" for problem in exc.problems]
        raise EntryRefused(f"step {step.id!r} cannot be completed", problems) from exc


def _named(step: Step, text: str, types: tuple[str, ...]) -> tuple[Input | None, str]:
    """The input named by the first word, if it names one, and the words after it."""
    first, _, rest = text.partition(" ")
    item = next((i for i in step.inputs if i.name == first and i.type in types), None)
    if item is not None and rest.strip():
        return item, rest
    return None, text


def _first_open(step: Step, drafts: Mapping[str, Any], types: tuple[str, ...], hint: str) -> Input:
    candidates = [item for item in step.inputs if item.type in types]
    if not candidates:
        raise EntryRefused("this step takes no values")
    for item in candidates:
        if _absent(drafts.get(item.name)):
            return item
    if len(candidates) == 1:
        return candidates[0]
    raise EntryRefused(f"every input has a value: say '{hint}'", _names(candidates))


def _number(item: Input, raw: str) -> int | float:
    try:
        number: int | float = int(raw) if _INTEGER.fullmatch(raw) else float(raw)
    except ValueError:
        raise EntryRefused(f"{item.label}: {raw!r} is not a number") from None
    if not math.isfinite(number):
        raise EntryRefused(f"{item.label}: {raw!r} is not a number")
    return number


def _choice(item: Input, raw: str) -> str:
    choices = item.choices or []
    spoken = raw.lower()
    exact = [choice for choice in choices if choice.lower() == spoken]
    started = [choice for choice in choices if choice.lower().startswith(spoken)]
    if exact or len(started) == 1:
        return (exact or started)[0]
    raise EntryRefused(f"{item.label}: say one of: {', '.join(choices)}")


def _limit_note(item: Input, value: Any) -> str | None:
    """Refuse a value beyond the hard limits at once; warn about the alert band."""
    limits = item.limits
    if limits is None or item.type != "number":
        return None
    side = limits.hard_breach(value)
    if side is not None:
        bound = limits.min if side == "below" else limits.max
        raise EntryRefused(
            f"{item.label}: {_quantity(value, item)} is {side} the hard limit "
            f"{_quantity(bound, item)}; nothing recorded"
        )
    side = limits.alert_breach(value)
    if side is None:
        return None
    bound = limits.alert_min if side == "below" else limits.alert_max
    return (
        f"{item.label} {_quantity(value, item)} is {side} the alert limit "
        f"{_quantity(bound, item)}: a comment is needed and a deviation will be opened"
    )


def _quantity(value: float | None, item: Input) -> str:
    return f"{value:g} {item.unit}" if item.unit else f"{value:g}"


def _names(items: list[Input]) -> list[str]:
    return [f"{item.name}: {item.label}" for item in items]


def _absent(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
