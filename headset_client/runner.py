"""Running commands: typed at a prompt (interactive) or read from a script (unattended).

Both print what the headset would show or say, and the server's news as it arrives. A script
stops at the first refused line (after sending what was saved before it); at its end it waits
until the server has every submission, and fails if any was not recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from headset_client import commands as c
from headset_client.actions import Operator
from headset_client.exceptions import HeadsetError
from headset_client.session import HeadsetSession, conflict_line

Hook = Callable[[], Awaitable[None]]
QUIT_GRACE_SECONDS = 5.0  # an interactive session tries this long to send what is left


class ScriptFailed(HeadsetError):
    """A script could not be run to the end; the message is the one line to print."""


@dataclass(frozen=True)
class ScriptLine:
    number: int
    text: str
    command: c.Command


def parse_script(
    name: str, text: str, variables: Mapping[str, str] | None = None
) -> list[ScriptLine]:
    """Every command of a script, checked before anything runs; ScriptFailed names the line.

    `${NAME}` is replaced by `variables[NAME]` (the CLI gives the environment), so a script
    can scan what a site numbers at run time (a lot made yesterday); an unset one is refused.
    """
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        try:
            line = _substituted(raw, variables or {})
            command = c.parse_command(line)
        except HeadsetError as exc:
            raise ScriptFailed(f"{name}:{number}: {exc}") from exc
        if command is not None:
            lines.append(ScriptLine(number, line.strip(), command))
    return lines


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _substituted(line: str, variables: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise HeadsetError(f"${{{name}}} is not set: export {name}=... before the script runs")
        return variables[name]

    return _VARIABLE.sub(value, line)


class Runner:
    """Feeds commands to an operator and prints the answers and the notices."""

    def __init__(self, operator: Operator, out: TextIO, after_command: Hook | None = None) -> None:
        self.operator = operator
        self.session: HeadsetSession = operator.session
        self._out = out
        self._after_command = after_command

    async def run_script(self, name: str, lines: Sequence[ScriptLine]) -> None:
        """Run a script unattended; ScriptFailed at the first line that cannot be done."""
        async with self.printing_notices():
            for line in lines:
                self.show(f"> {line.text}")
                try:
                    self.show(*await self.operator.execute(line.command))
                except HeadsetError as exc:
                    # What was saved before the refused line is still the operator's work.
                    await self.session.sync(self.session.options.wait_seconds)
                    raise ScriptFailed(f"{name}:{line.number}: {exc}") from exc
                await self.after_command()
                if isinstance(line.command, c.Quit):
                    break
            await self.finish(name)

    async def run_interactive(self, stdin: Callable[[str], str] = input) -> None:
        """A prompt until `quit` or end of input; refusals are shown, not fatal."""
        async with self.printing_notices():
            while True:
                try:
                    line = await asyncio.to_thread(stdin, "> ")
                except EOFError:
                    break
                try:
                    command = c.parse_command(line)
                    if command is None:
                        continue
                    if isinstance(command, c.Quit):
                        break
                    command = await _with_password(command)
                    self.show(*await self.operator.execute(command))
                    await self.after_command()
                except HeadsetError as exc:
                    self.show(f"refused: {exc}")
            if not await self.session.sync(QUIT_GRACE_SECONDS):
                counts = await self.session.counts()
                self.show(f"{counts['pending']} submission(s) not yet sent: sent on next start")

    async def finish(self, name: str) -> None:
        if not await self.session.sync(self.session.options.wait_seconds):
            counts = await self.session.counts()
            raise ScriptFailed(f"{name}: the server did not take {counts['pending']} submission(s)")
        conflicts = await self.session.conflicts(this_session=True)
        if conflicts:
            raise ScriptFailed(
                f"{name}: {len(conflicts)} submission(s) not recorded; first: "
                f"{conflict_line(conflicts[0])}"
            )
        self.show("everything is with the server")

    async def after_command(self) -> None:
        if self._after_command is not None:
            await self._after_command()

    @contextlib.asynccontextmanager
    async def printing_notices(self) -> AsyncIterator[None]:
        task = asyncio.create_task(self._notices())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            while not self.session.notices.empty():
                self.show(f"! {self.session.notices.get_nowait()}")

    async def _notices(self) -> None:
        while True:
            self.show(f"! {await self.session.notices.get()}")

    def show(self, *lines: str) -> None:
        for line in lines:
            print(line, file=self._out, flush=True)


async def _with_password(command: c.Command) -> c.Command:
    """Ask for a signature's password without echoing it, when it was not said."""
    if isinstance(command, c.Sign) and command.password is None:
        return c.Sign(await asyncio.to_thread(getpass.getpass, "your password: "))
    if isinstance(command, c.Verify) and command.password is None:
        prompt = f"password of {command.username}: "
        return c.Verify(command.username, await asyncio.to_thread(getpass.getpass, prompt))
    return command
