"""What may be said at the active step, as a JSGF grammar, and what a hypothesis means. Pure.

The grammar is the headset's typed vocabulary (`headset_client.commands`) with the step's
input labels and choices as the operator reads them, and numbers in words. Nothing else can
be heard: no dictation, and no password (signatures ask for it on the keyboard).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from headset_client.entry import scan_names
from headset_client.exceptions import CommandInvalid
from headset_client.speech.numbers import (
    JSGF_RULES,
    NUMBER_RULE,
    NUMBER_WORDS,
    SIGNED_NUMBER_RULE,
    spoken_number,
)
from procedures.model import Step

# Said alone. "cancel" drops what was read back; sign, verify and comment then ask the
# keyboard for what must not be spoken (a password) or cannot be (free text).
BARE = (
    "next",
    "back",
    "previous",
    "repeat",
    "again",
    "help",
    "confirm",
    "cancel",
    "status",
    "sync",
    "quit",
    "batch",
    "acknowledge",
    "sign",
    "verify",
    "comment",
)
# What only shows or moves the view: done at once, after saying what was heard.
NOT_RECORDING = frozenset(
    {"next", "back", "previous", "repeat", "again", "help", "status", "sync", "quit", "batch"}
)
YES_NO = ("yes", "no")
_VALUE_TYPES = ("number", "choice", "boolean", "scan")
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Understood:
    """What a hypothesis means: `line` in the typed vocabulary, `said` to read back."""

    line: str
    said: str

    @property
    def verb(self) -> str:
        return self.line.partition(" ")[0]

    @property
    def records(self) -> bool:
        """Whether doing it changes what will be recorded (then it is confirmed first)."""
        return self.verb not in NOT_RECORDING and self.verb != "cancel"


@dataclass(frozen=True)
class Grammar:
    """The phrases of one step: input labels (by type) and choices, spoken forms to names."""

    types: frozenset[str] = frozenset()
    negative: bool = False  # whether a number input may be below zero
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)

    def jsgf(self) -> str:
        """The JSGF text for pocketsphinx (one public rule, `<utterance>`): a verb that
        takes a value only where the step has such an input (fewer words, fewer mistakes)."""
        labels, types = self.labels, self.types
        value_labels = [p for kind in _VALUE_TYPES if kind != "scan" for p in labels.get(kind, {})]
        values = [*(["<number>"] if "number" in types else []), *self.choices]
        values += YES_NO if "boolean" in types else ()
        commands: list[str] = list(BARE)
        if values:
            named = f"[{_union(value_labels)}] " if value_labels else ""
            commands.append(f"value {named}({_union(values)})")
        if "boolean" in types:
            commands.append(_optional("check", ["all", *labels.get("boolean", {})]))
        for verb in ("scan", "photo"):
            if verb in types:
                commands.append(_optional(verb, list(labels.get(verb, {}))))
        if types:
            commands.append(_optional("clear", list(self.all_labels())))
        number = SIGNED_NUMBER_RULE if self.negative else NUMBER_RULE
        return (
            "#JSGF V1.0;\ngrammar headset;\n"
            f"public <utterance> = {_union(commands)};\n{JSGF_RULES}{number}"
        )

    def all_labels(self) -> dict[str, str]:
        return {
            phrase: name for by_kind in self.labels.values() for phrase, name in by_kind.items()
        }

    def understand(self, words: Sequence[str]) -> Understood:
        """The command the words say; CommandInvalid when they say none (ask again)."""
        said = " ".join(words)
        if not words:
            raise CommandInvalid(said, "nothing heard")
        verb, rest = words[0], list(words[1:])
        if verb in BARE and not rest:
            return Understood(verb, verb)
        if verb == "value" and rest:
            return self._value(said, rest)
        if verb in {"check", "scan", "photo", "clear"}:
            kinds = {"check": ["boolean"], "scan": ["scan"], "photo": ["photo"]}
            pool = ({"all": "all"} if verb == "check" else {}) | self._named(
                kinds.get(verb, list(self.labels))
            )
            phrase = " ".join(rest)
            if not rest or phrase in pool:
                name = pool.get(phrase, "")
                return Understood(f"{verb} {name}".strip(), said)
        raise CommandInvalid(said, "not a command")

    def _value(self, said: str, rest: list[str]) -> Understood:
        named = self._named(list(_VALUE_TYPES))
        name = ""
        for length in range(len(rest) - 1, 0, -1):
            phrase = " ".join(rest[:length])
            if phrase in named:
                name, rest = named[phrase], rest[length:]
                break
        what = " ".join(rest)
        if what in self.choices:
            value = self.choices[what]
        elif what in YES_NO:
            value = what
        elif all(word in NUMBER_WORDS for word in rest):
            value = spoken_number(rest)
        else:
            raise CommandInvalid(said, "not a value")
        label = next((phrase for phrase, n in named.items() if n == name), "")
        return Understood(
            " ".join(part for part in ("value", name, value) if part),
            " ".join(part for part in ("value", label, value) if part),
        )

    def _named(self, kinds: Sequence[str]) -> dict[str, str]:
        return {p: n for kind in kinds for p, n in self.labels.get(kind, {}).items()}


def step_grammar(step: Step | None, known: Callable[[str], bool]) -> Grammar:
    """The grammar at this step (None: between steps, the bare vocabulary); a label or
    choice with a word the recogniser does not know is left out (the value is still said
    without naming its input, or typed)."""
    if step is None:
        return Grammar()
    labels: dict[str, dict[str, str]] = {}
    choices: dict[str, str] = {}
    taken = {*BARE, *YES_NO, "all", *NUMBER_WORDS}
    for item in step.inputs:
        phrase = _phrase(item.label, known)
        if phrase and phrase not in taken:
            labels.setdefault(item.type, {})[phrase] = item.name
            taken.add(phrase)
        for choice in item.choices or []:
            spoken = _phrase(choice, known)
            if spoken and spoken not in taken:
                choices[spoken] = choice
                taken.add(spoken)
    types = {item.type for item in step.inputs} | ({"scan"} if scan_names(step) else set())
    negative = any(
        item.type == "number"
        and (item.limits is None or item.limits.min is None or item.limits.min < 0)
        for item in step.inputs
    )
    return Grammar(frozenset(types), negative, labels, choices)


def _phrase(text: str, known: Callable[[str], bool]) -> str | None:
    words = _WORD.findall(text.lower())
    return " ".join(words) if words and all(known(word) for word in words) else None


def _union(items: Iterable[str]) -> str:
    return " | ".join(f"({item})" if " " in item else item for item in items)


def _optional(verb: str, phrases: list[str]) -> str:
    return f"{verb} [{_union(phrases)}]" if phrases else verb
