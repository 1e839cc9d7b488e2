"""Read back, then confirm or cancel: nothing heard is recorded before the operator agrees.
Pure: a hypothesis in, what to say and what to run out."""

from __future__ import annotations

from dataclasses import dataclass, field

from headset_client.exceptions import CommandInvalid
from headset_client.speech.grammar import Grammar, Understood
from headset_client.speech.recogniser import Hypothesis

CONFIDENCE_THRESHOLD = 0.2  # below it the operator is asked again (bench/voice.py measures)
_WHAT_IT_DOES = {"confirm": "complete the step", "sign": "sign the step", "verify": "verify"}


@dataclass(frozen=True)
class Reply:
    """What the headset says, and the typed-vocabulary line to carry out (if any)."""

    lines: list[str]
    run: str | None = None


@dataclass
class Dialogue:
    """The confirmation loop: at most one command waits for "confirm" or "cancel"."""

    threshold: float = CONFIDENCE_THRESHOLD
    pending: Understood | None = field(default=None)

    def hear(self, grammar: Grammar, hypothesis: Hypothesis) -> Reply:
        """What to answer to one utterance."""
        heard = " ".join(hypothesis.words)
        if not hypothesis.words or hypothesis.confidence < self.threshold:
            return Reply([f"not sure what was said{_quoted(heard)}: say it again"])
        try:
            understood = grammar.understand(hypothesis.words)
        except CommandInvalid:
            return Reply([f"heard '{heard}': not something to do here, say it again"])
        if understood.verb == "cancel":
            if self.pending is None:
                return Reply(["nothing to cancel"])
            dropped, self.pending = self.pending, None
            return Reply([f"cancelled: {dropped.said}; nothing recorded"])
        if understood.verb == "confirm" and self.pending is not None:
            confirmed, self.pending = self.pending, None
            return Reply([f"confirmed: {confirmed.said}"], confirmed.line)
        if not understood.records:
            return Reply([f"heard: {understood.said}"], understood.line)
        self.pending = understood
        said = _WHAT_IT_DOES.get(understood.said, understood.said)
        return Reply([f"heard: {said}. Say confirm or cancel"])


def _quoted(heard: str) -> str:
    return f" (maybe '{heard}')" if heard else ""
