"""The spoken test corpus: every command word and a set of numbers, said by espeak-ng at two
speeds with noise, recognised against the weigh step of headset-line (tests and bench)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from headset_client.speech.audio import utterances, wav_frames
from headset_client.speech.grammar import BARE, Grammar, step_grammar
from headset_client.speech.numbers import number_words
from headset_client.speech.recogniser import Hypothesis, Recogniser
from procedures.loader import load_procedure_file
from tests.headset.spoken import SPEEDS, say

DATA = Path(__file__).parent / "data"
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
    "value conforms",
    "value does not conform",
    *(f"value {number_words(n)}" for n in NUMBERS),
    *(f"value net weight {number_words(n)}" for n in NUMBERS[:4]),
)


@dataclass(frozen=True)
class Heard:
    said: str
    speed: int
    hypothesis: Hypothesis
    seconds: float  # from the end of the utterance to the words


def weigh_grammar(recogniser: Recogniser) -> Grammar:
    procedure = load_procedure_file(DATA / "headset_line.yaml")
    step = next(step for step in procedure.steps() if step.id == "weigh")
    return step_grammar(step, recogniser.knows)


def hear_corpus(folder: Path, recogniser: Recogniser) -> list[Heard]:
    """Every phrase at every speed, as recognised (one utterance per recording)."""
    recogniser.use(weigh_grammar(recogniser).jsgf())
    heard = []
    for speed in SPEEDS:
        for number, phrase in enumerate(PHRASES):
            wav = say(phrase, folder / f"{speed}-{number}.wav", speed=speed)
            pcm = b"".join(u.pcm for u in utterances(wav_frames(wav)))
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
