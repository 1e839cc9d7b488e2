"""The command blocks of README.md, as a reader copies them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SET_UP = "bash scripts/run"


@dataclass(frozen=True)
class Block:
    """A fenced block's text and the README line its first command is on."""

    line: int
    text: str

    @property
    def is_set_up(self) -> bool:
        """The block that installs and starts the demo server (the walkthrough's start)."""
        return self.text.lstrip().startswith(SET_UP)


def blocks(text: str, language: str = "bash") -> list[Block]:
    """Every ```language block, in order."""
    found: list[Block] = []
    opened: int | None = None
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if opened is None and re.fullmatch(rf"```{language}\s*", line):
            opened, lines = number + 1, []
        elif opened is not None and line.strip() == "```":
            found.append(Block(opened, "\n".join(lines) + "\n"))
            opened = None
        elif opened is not None:
            lines.append(line)
    return found
