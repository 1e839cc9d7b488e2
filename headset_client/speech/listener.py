"""The headset listening: each utterance is recognised against the grammar of the active step,
read back, and carried out once confirmed; passwords and free text come from the keyboard."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from headset_client import commands as c
from headset_client.exceptions import HeadsetError
from headset_client.runner import Runner
from headset_client.speech.audio import Utterance
from headset_client.speech.dialogue import Dialogue
from headset_client.speech.grammar import Grammar, step_grammar
from headset_client.speech.recogniser import Recogniser

Keyboard = Callable[[str, bool], str]  # (prompt, secret) -> the line typed


@dataclass
class Listening:
    """Figures of one session: utterances heard, and seconds from the end of each to its
    answer (recognition, read-back, and the command when one ran)."""

    utterances: int = 0
    latencies: list[float] = field(default_factory=list)


class Listener:
    """Speech in, commands out, through the read-back dialogue."""

    def __init__(
        self,
        runner: Runner,
        recogniser: Recogniser,
        keyboard: Keyboard,
        dialogue: Dialogue | None = None,
    ) -> None:
        self.runner = runner
        self.recogniser = recogniser
        self.dialogue = dialogue or Dialogue()
        self.listening = Listening()
        self._keyboard = keyboard

    async def run(self, speech: Iterator[Utterance], name: str | None = None) -> None:
        """Listen until `quit` or the end of the sound; with a name (a recording, run like a
        script), wait for the server at the end and fail unless it recorded everything."""
        runner = self.runner
        async with runner.printing_notices():
            while (utterance := await asyncio.to_thread(next, speech, None)) is not None:
                if not await self._answer(utterance):
                    break
            if name is not None:
                await runner.finish(name)
            elif not await runner.session.sync(runner.session.options.wait_seconds):
                counts = await runner.session.counts()
                runner.show(f"{counts['pending']} submission(s) not yet sent: sent on next start")

    async def _answer(self, utterance: Utterance) -> bool:
        """Answer one utterance; False when the operator said quit."""
        grammar = self._grammar()
        self.recogniser.use(grammar.jsgf())
        hypothesis = await asyncio.to_thread(self.recogniser.hear, utterance.pcm)
        reply = self.dialogue.hear(grammar, hypothesis)
        self.runner.show(*(f"~ {line}" for line in reply.lines))
        self.listening.utterances += 1
        try:
            if reply.run is None:
                return True
            command = await asyncio.to_thread(self._command, reply.run)
            if isinstance(command, c.Quit):
                return False
            self.runner.show(*await self.runner.operator.execute(command))
            await self.runner.after_command()
        except HeadsetError as exc:
            self.runner.show(f"refused: {exc}")
        finally:
            self.listening.latencies.append(time.monotonic() - utterance.ended)
        return True

    def _grammar(self) -> Grammar:
        batch = self.runner.session.batch
        active = batch.active() if batch is not None else None
        return step_grammar(active.step if active is not None else None, self.recogniser.knows)

    def _command(self, line: str) -> c.Command:
        """The command of a confirmed line; what is never spoken is asked on the keyboard:
        passwords, who verifies, a comment's text."""
        match line:
            case "sign":
                return c.Sign(self._keyboard("your password: ", True))
            case "verify":
                username = self._keyboard("who verifies (user name): ", False).strip()
                return c.Verify(username, self._keyboard(f"password of {username}: ", True))
            case "comment":
                return c.Comment(self._keyboard("comment: ", False))
        command = c.parse_command(line)
        if command is None:
            raise HeadsetError("nothing to do")
        return command
