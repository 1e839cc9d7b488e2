"""Speech without sound: numbers in words, what the step's grammar understands, and the
read-back dialogue that records nothing before "confirm"."""

from __future__ import annotations

import pytest

from headset_client.exceptions import CommandInvalid
from headset_client.speech.dialogue import Dialogue
from headset_client.speech.grammar import Grammar, step_grammar
from headset_client.speech.numbers import number_words, spoken_number
from headset_client.speech.recogniser import Hypothesis
from procedures.loader import load_procedure_file
from tests.headset.support import DATA

KNOWN = {"net", "weight", "appearance", "conforms", "does", "not", "conform"}


def _weigh() -> Grammar:
    procedure = load_procedure_file(DATA / "headset_line.yaml")
    step = next(step for step in procedure.steps() if step.id == "weigh")
    return step_grammar(step, KNOWN.__contains__)


def _heard(text: str, confidence: float = 0.9) -> Hypothesis:
    return Hypothesis(tuple(text.split()), confidence)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("12.5", "twelve point five"),
        ("102", "one hundred and two"),
        ("200.5", "two hundred point five"),
        ("0.25", "zero point two five"),
        ("1250", "one thousand two hundred and fifty"),
        ("-4.5", "minus four point five"),
    ],
)
def test_a_number_is_said_in_words_and_read_back_in_digits(text: str, words: str) -> None:
    assert number_words(text) == words
    assert spoken_number(words.split()) == text


@pytest.mark.parametrize("words", ["one two", "twenty hundred", "point", "five point ten", ""])
def test_words_that_are_not_one_number_are_refused(words: str) -> None:
    with pytest.raises(CommandInvalid):
        spoken_number(words.split())


def test_the_grammar_names_inputs_by_their_label_and_knows_the_choices() -> None:
    grammar = _weigh()
    jsgf = grammar.jsgf()

    assert (
        grammar.understand(["value", "net", "weight", "ten", "point", "two"]).line
        == "value net_kg 10.2"
    )
    assert grammar.understand(["value", "does", "not", "conform"]).line == "value does not conform"
    assert grammar.understand(["value", "twelve"]).said == "value 12"
    assert grammar.understand(["next"]).line == "next"
    assert "(net weight)" in jsgf and "(does not conform)" in jsgf
    assert "minus" not in jsgf  # the net weight cannot be below zero
    with pytest.raises(CommandInvalid):
        grammar.understand(["value"])


def test_a_label_with_a_word_the_recogniser_does_not_know_is_left_out() -> None:
    procedure = load_procedure_file(DATA / "headset_line.yaml")
    step = next(step for step in procedure.steps() if step.id == "weigh")
    grammar = step_grammar(step, {"net", "weight"}.__contains__)
    assert grammar.labels == {"number": {"net weight": "net_kg"}}
    assert grammar.choices == {}


def test_a_value_is_read_back_and_only_confirm_carries_it_out() -> None:
    dialogue, grammar = Dialogue(), _weigh()

    read_back = dialogue.hear(grammar, _heard("value net weight ten point two"))
    confirmed = dialogue.hear(grammar, _heard("confirm"))

    assert read_back.run is None
    assert read_back.lines == ["heard: value net weight 10.2. Say confirm or cancel"]
    assert confirmed.run == "value net_kg 10.2"
    assert dialogue.pending is None


def test_a_misheard_value_is_cancelled_and_nothing_is_carried_out() -> None:
    dialogue, grammar = Dialogue(), _weigh()

    misheard = dialogue.hear(grammar, _heard("value ten point eight"))
    cancelled = dialogue.hear(grammar, _heard("cancel"))
    then_confirm = dialogue.hear(grammar, _heard("confirm"))

    assert misheard.run is None and cancelled.run is None
    assert cancelled.lines == ["cancelled: value 10.8; nothing recorded"]
    # "confirm" with nothing pending means "complete the step": read back, not done.
    assert then_confirm.run is None
    assert then_confirm.lines == ["heard: complete the step. Say confirm or cancel"]


def test_below_the_confidence_threshold_the_operator_is_asked_again() -> None:
    dialogue, grammar = Dialogue(threshold=0.5), _weigh()

    unsure = dialogue.hear(grammar, _heard("value ten", confidence=0.2))
    nonsense = dialogue.hear(grammar, _heard("value"))

    assert unsure.run is None and dialogue.pending is None
    assert unsure.lines == ["not sure what was said (maybe 'value ten'): say it again"]
    assert nonsense.lines == ["heard 'value': not something to do here, say it again"]


def test_showing_and_moving_are_done_at_once_and_a_new_command_replaces_the_pending_one() -> None:
    dialogue, grammar = Dialogue(), _weigh()

    dialogue.hear(grammar, _heard("value ten"))
    moved = dialogue.hear(grammar, _heard("next"))
    replaced = dialogue.hear(grammar, _heard("value eleven"))

    assert moved.run == "next"
    assert replaced.run is None
    assert dialogue.pending is not None and dialogue.pending.line == "value 11"


def test_no_password_can_be_said() -> None:
    grammar = _weigh()
    assert grammar.understand(["sign"]).line == "sign"
    with pytest.raises(CommandInvalid):
        grammar.understand(["sign", "olivia"])
    assert "password" not in grammar.jsgf()
