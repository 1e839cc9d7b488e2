"""The YAML text of a procedure edited as JSON: the author's file, changed only where the
definition changed.

An edit through the API replaces the definition; its YAML export must still read like the
author's file (their order, comments, flow mappings and line breaks) so that a file imported,
edited in the browser and exported again differs from the original only in what was edited.
The original text is patched node by node (PyYAML's node marks give each node's span): a
changed scalar is rewritten in place, an added field or list item is written in the style of
its neighbours, a removed one is cut out with its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from procedures.diff import item_key
from procedures.model import Procedure


def source_of(procedure: Procedure) -> str:
    """A fresh YAML text for a procedure with no file of its own (defaults left out)."""
    document = procedure.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def edited_source(source: str, before: Procedure, after: Procedure) -> str:
    """`source` (the text of `before`) changed to say `after`, touching only what differs.

    Falls back to a fresh text when the source cannot be patched (it does not read as
    `before`, or an edit reaches a node shared through a YAML alias)."""
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        root = None
    old = before.model_dump(mode="json")
    new = after.model_dump(mode="json")
    compact = after.model_dump(mode="json", exclude_defaults=True)
    if root is None:
        return source_of(after)
    patcher = _Patcher(source)
    try:
        text = patcher.node(root, old, new, compact)
    except _Unpatchable:
        return source_of(after)
    patched = source[: root.start_mark.index] + text + source[root.end_mark.index :]
    try:
        reread = yaml.safe_load(patched)
        if Procedure.model_validate(reread) != after:
            return source_of(after)
    except (yaml.YAMLError, ValueError):
        return source_of(after)
    return patched


class _Unpatchable(Exception):
    """The edit cannot be written into the original text node by node."""


@dataclass
class _Patcher:
    source: str

    def __post_init__(self) -> None:
        self.seen: set[int] = set()

    def node(self, node: yaml.Node, old: Any, new: Any, compact: Any) -> str:
        """The new text of `node`'s span."""
        original = self.source[node.start_mark.index : self.end(node)]
        if id(node) in self.seen:  # an alias of an anchor already written
            if old != new:
                raise _Unpatchable()
            return original
        self.seen.add(id(node))
        if old == new:
            return original
        value = new if compact is None else compact
        if isinstance(node, yaml.MappingNode) and isinstance(old, dict) and isinstance(new, dict):
            return self._mapping(node, old, new, compact if isinstance(compact, dict) else {})
        if isinstance(node, yaml.SequenceNode) and isinstance(old, list) and isinstance(new, list):
            key = item_key(old + new)
            if key is not None:
                return self._sequence(node, old, new, compact or [], key)
        flow = isinstance(node, yaml.ScalarNode) or bool(getattr(node, "flow_style", False))
        return _render(value, flow, node)

    def end(self, node: yaml.Node) -> int:
        """Where a node's text ends: a block collection's end mark lies past the blank lines
        after it, which belong to what follows."""
        end = node.end_mark.index
        while end > node.start_mark.index and self.source[end - 1] in " \t\r\n":
            end -= 1
        return end

    def _mapping(
        self, node: yaml.MappingNode, old: dict[str, Any], new: dict[str, Any], compact: dict
    ) -> str:
        base = node.start_mark.index
        edits: list[tuple[int, int, str]] = []
        written = set()
        pairs = node.value
        for index, (key_node, value_node) in enumerate(pairs):
            name = key_node.value
            written.add(name)
            if old.get(name) == new.get(name):
                continue
            if new.get(name) is None:
                edits.append(self._cut(node, pairs, index))
                continue
            text = self.node(value_node, old.get(name), new[name], compact.get(name))
            edits.append((value_node.start_mark.index, self.end(value_node), text))
        added = {
            name: compact.get(name, new[name])
            for name in new
            if name not in written and new[name] is not None and old.get(name) != new[name]
        }
        if added:
            edits.append(self._added_fields(node, added))
        return _applied(self.source[base : self.end(node)], base, edits)

    def _cut(
        self, node: yaml.MappingNode, pairs: list[tuple[yaml.Node, yaml.Node]], index: int
    ) -> tuple[int, int, str]:
        key_node, value_node = pairs[index]
        if index + 1 < len(pairs):
            return (key_node.start_mark.index, pairs[index + 1][0].start_mark.index, "")
        if node.flow_style and index > 0:
            return (self.end(pairs[index - 1][1]), self.end(value_node), "")
        if node.flow_style:
            return (key_node.start_mark.index, self.end(value_node), "")
        start = self.source.rfind("\n", node.start_mark.index, key_node.start_mark.index)
        if start < 0:
            raise _Unpatchable()
        return (start, self.end(value_node), "")

    def _added_fields(self, node: yaml.MappingNode, added: dict[str, Any]) -> tuple[int, int, str]:
        if node.flow_style:
            at = self.end(node) - 1
            parts = [f"{_flow(name)}: {_flow(value)}" for name, value in added.items()]
            return (at, at, ", " + ", ".join(parts))
        last = node.value[-1][1] if node.value else None
        at = self.end(last) if last else node.start_mark.index
        text = _block(added, node.start_mark.column)
        return (at, at, "\n" + " " * node.start_mark.column + text)

    def _sequence(
        self, node: yaml.SequenceNode, old: list[Any], new: list[Any], compact: list, key: str
    ) -> str:
        base = node.start_mark.index
        by_key = {item[key]: index for index, item in enumerate(old)}
        if [item[key] for item in old] == [item[key] for item in new]:
            edits = [
                (
                    item_node.start_mark.index,
                    self.end(item_node),
                    self.node(item_node, old[index], new[index], _at(compact, index)),
                )
                for index, item_node in enumerate(node.value)
                if old[index] != new[index]
            ]
            return _applied(self.source[base : self.end(node)], base, edits)
        if len(node.value) != len(old) or not node.value:
            raise _Unpatchable()
        items = node.value
        separators = [
            self.source[self.end(items[index]) : items[index + 1].start_mark.index]
            for index in range(len(items) - 1)
        ] or [", " if node.flow_style else "\n" + " " * node.start_mark.column + "- "]
        pieces = []
        for index, item in enumerate(new):
            found = by_key.get(item[key])
            if found is None:
                pieces.append(_render(_at(compact, index) or item, node.flow_style, node, True))
            else:
                pieces.append(self.node(items[found], old[found], item, _at(compact, index)))
        text = self.source[base : items[0].start_mark.index] + pieces[0]
        for index, piece in enumerate(pieces[1:]):
            text += separators[min(index, len(separators) - 1)] + piece
        return text + self.source[self.end(items[-1]) : self.end(node)]


def _at(items: Any, index: int) -> Any:
    return items[index] if isinstance(items, list) and index < len(items) else None


def _applied(text: str, base: int, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[: start - base] + replacement + text[end - base :]
    return text


def _flow(value: Any) -> str:
    dumped = yaml.safe_dump(
        value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10**6
    )
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _block(value: Any, column: int) -> str:
    dumped = yaml.safe_dump(
        value, default_flow_style=False, sort_keys=False, allow_unicode=True, width=100
    ).rstrip("\n")
    return ("\n" + " " * column).join(dumped.split("\n"))


def _render(value: Any, flow: bool, node: yaml.Node, item: bool = False) -> str:
    """`value` written where `node` stood: in flow style inside a flow collection or in place
    of a scalar, else as a block at the node's column (`item`: as a new item of it)."""
    if flow or not isinstance(value, dict | list) or not value:
        return _flow(value)
    column = node.start_mark.column + (2 if item else 0)
    return _block(value, column)
