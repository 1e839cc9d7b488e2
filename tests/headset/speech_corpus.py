"""The spoken test corpus: every command word and a set of numbers, said by espeak-ng at two
speeds with noise, recognised against a step taking every kind of input (tests and bench)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from headset_client.speech.audio import utterances, wav_frames
from headset_client.speech.grammar import BARE, Grammar, step_grammar
from headset_client.speech.numbers import number_words
from headset_client.speech.recogniser import Hypothesis, Recogniser
from procedures.model import Step
from tests.headset.spoken import SPEEDS, say

NUMBERS = ("12.5", "102", "200.5", "0.2", "3.92", "11.75", "30", "45", "7", "1250", "98.6", "16")
PHRASES = (
    *BARE,
    "check all",
    "check",
    "scan",
    "photo",
    "clear",
    "value yes",
    "value no",
    "check area is clean",
    "value conforms",
    "value does not conform",
    *(f"value {number_words(n)}" for n in NUMBERS),
    *(f"value net weight {number_words(n)}" for n in NUMBERS[:4]),
)


# The tuning corpus: what the recogniser's settings were chosen on, kept apart from the measured
# corpus above (the same command words, necessarily, but other numbers, other speeds, other
# noise), so the measured figures are not fitted to the utterances they measure.
TUNING_NUMBERS = (
    *("8", "38", "60", "17", "13.5", "250", "4.25", "90", "19", "3000"),
    *("0.8", "70.5", "14", "66", "21.3", "5"),
)
TUNING_PHRASES = (
    *PHRASES[: PHRASES.index("value conforms") + 2],
    *(f"value {number_words(n)}" for n in TUNING_NUMBERS),
    *(f"value net weight {number_words(n)}" for n in TUNING_NUMBERS[4:9]),
)
TUNING_SPEEDS = (130, 165, 200)


@dataclass(frozen=True)
class Heard:
    said: str
    speed: int
    hypothesis: Hypothesis
    seconds: float  # from the end of the utterance to the words

    @property
    def mistaken(self) -> bool:
        return " ".join(self.hypothesis.words) != self.said


# A step taking every kind of input: its grammar has every verb (the hardest case).
EVERY_INPUT = Step.model_validate(
    {
        "id": "every_input",
        "title": "Every input",
        "kind": "data_entry",
        "inputs": [
            {"name": "net_kg", "label": "Net weight", "type": "number", "unit": "kg"},
            {
                "name": "appearance",
                "label": "Appearance",
                "type": "choice",
                "choices": ["conforms", "does not conform"],
            },
            {"name": "area_clean", "label": "Area is clean", "type": "boolean"},
            {
                "name": "drum",
                "label": "Drum",
                "type": "scan",
                "expects": {"kind": "material", "material": "EXC-0930"},
            },
            {"name": "granules", "label": "Granules", "type": "photo"},
        ],
    }
)


def every_input_grammar(recogniser: Recogniser) -> Grammar:
    """The grammar of the step with every kind of input."""
    return step_grammar(EVERY_INPUT, recogniser.knows)


def utterance_pcm(wav: Path) -> bytes:
    """The speech of a recording of one utterance, as the listener would cut it."""
    return b"".join(u.pcm for u in utterances(wav_frames(wav)))


def hear_corpus(folder: Path, recogniser: Recogniser, *, tuning: bool = False) -> list[Heard]:
    """Every phrase at every speed, as recognised (one utterance per recording); `tuning`:
    the tuning corpus instead of the measured one."""
    recogniser.use(every_input_grammar(recogniser).jsgf())
    phrases, speeds = (TUNING_PHRASES, TUNING_SPEEDS) if tuning else (PHRASES, SPEEDS)
    heard = []
    for speed in speeds:
        for number, phrase in enumerate(phrases):
            seed = 1000 + 97 * number + speed if tuning else None
            wav = say(phrase, folder / f"{speed}-{number}.wav", speed=speed, seed=seed)
            pcm = utterance_pcm(wav)
            started = time.monotonic()
            hypothesis = recogniser.hear(pcm)
            heard.append(Heard(phrase, speed, hypothesis, time.monotonic() - started))
    return heard


def word_accuracy(heard: list[Heard]) -> float:
    """Words recognised over words said (position by position, a missing word is wrong)."""
    said = sum(len(h.said.split()) for h in heard)
    right = sum(
        a == b for h in heard for a, b in zip(h.said.split(), h.hypothesis.words, strict=False)
    )
    return right / said
