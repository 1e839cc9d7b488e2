"""Recognition of real sound: every command word and a set of numbers, said by espeak-ng at
two speeds with noise added by sox, against a step's grammar. Nothing misheard is recorded:
the read-back lets the operator cancel it."""

from __future__ import annotations

from pathlib import Path

import pytest

from headset_client.speech.dialogue import Dialogue
from headset_client.speech.recogniser import Recogniser
from tests.headset.speech_corpus import (
    Heard,
    every_input_grammar,
    hear_corpus,
    utterance_pcm,
    word_accuracy,
)
from tests.headset.spoken import say

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def recogniser() -> Recogniser:
    return Recogniser()


@pytest.fixture(scope="module")
def corpus(recogniser: Recogniser, tmp_path_factory: pytest.TempPathFactory) -> list[Heard]:
    return hear_corpus(tmp_path_factory.mktemp("corpus"), recogniser)


# Issue 16 asks for 95 % of words: bench/voice.py measures 95.9 % (the same in every run: the
# speech and the noise are repeatable), about two words above the floor. The recogniser's
# settings were tuned on another corpus (bench/voice.py --tuning), not on this one. The
# read-back test below is what keeps a misheard value out of the record.
FLOOR = 0.95


def test_the_words_said_are_recognised_at_the_reached_floor(corpus: list[Heard]) -> None:
    accuracy = word_accuracy(corpus)
    wrong = [(h.said, h.speed, " ".join(h.hypothesis.words)) for h in corpus if h.mistaken]
    assert accuracy >= FLOOR, wrong


def test_no_word_is_heard_after_the_last_word_said(corpus: list[Heard]) -> None:
    # The hiss after a number used to be heard as one more word ("value thirty eight").
    trailing = [
        (h.said, h.speed, " ".join(h.hypothesis.words))
        for h in corpus
        if len(h.hypothesis.words) > len(h.said.split())
        and list(h.hypothesis.words[: len(h.said.split())]) == h.said.split()
    ]
    assert not trailing


def test_a_misheard_value_is_caught_by_the_read_back_and_never_recorded(
    corpus: list[Heard], recogniser: Recogniser, tmp_path: Path
) -> None:
    grammar = every_input_grammar(recogniser)
    answers = {
        word: recogniser.hear(utterance_pcm(say(word, tmp_path / f"{word}.wav")))
        for word in ("confirm", "cancel")
    }
    recorded, caught = [], []
    for heard in (h for h in corpus if h.said.startswith("value ")):
        dialogue = Dialogue()
        reply = dialogue.hear(grammar, heard.hypothesis)
        assert reply.run is None  # a value is never carried out before "confirm"
        meant = grammar.understand(heard.said.split())
        # The operator listens to the read-back: confirms what they said, cancels anything else.
        right = dialogue.pending is not None and dialogue.pending.said == meant.said
        answer = dialogue.hear(grammar, answers["confirm" if right else "cancel"])
        if answer.run is not None:
            recorded.append((meant.line, answer.run))
        elif not right:
            caught.append(heard.said)

    assert recorded, "nothing was recognised well enough to record"
    assert all(meant == done for meant, done in recorded)
    assert len(recorded) + len(caught) == sum(h.said.startswith("value ") for h in corpus)
