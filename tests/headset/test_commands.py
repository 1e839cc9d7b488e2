"""The voice vocabulary: every word an operator or a script says, and what is refused."""

from __future__ import annotations

import pytest

from headset_client import commands as c
from headset_client.exceptions import CommandInvalid


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("next", c.Next()),
        ("  BACK ", c.Back()),
        ("previous", c.Back()),
        ("repeat", c.Repeat()),
        ("help", c.Help()),
        ("confirm", c.Confirm()),
        ("value 12.5", c.Value("12.5")),
        ("value net_kg 12.5", c.Value("net_kg 12.5")),
        ("value appearance does not conform", c.Value("appearance does not conform")),
        ("check", c.Check("")),
        ("check all", c.Check("all")),
        ("scan", c.Scan("")),
        ("scan stepwise:equipment:EQ-GRAN-01", c.Scan("stepwise:equipment:EQ-GRAN-01")),
        (
            "scan press_id stepwise:equipment:EQ-PRESS-01",
            c.Scan("press_id stepwise:equipment:EQ-PRESS-01"),
        ),
        ("photo", c.Photo("")),
        ("photo labels_photo", c.Photo("labels_photo")),
        ("comment weighed twice, same result", c.Comment("weighed twice, same result")),
        ("sign", c.Sign(None)),
        ("sign s3cret pass", c.Sign("s3cret pass")),
        ("verify sam", c.Verify("sam", None)),
        ("verify sam sam-demo", c.Verify("sam", "sam-demo")),
        ("batch", c.Batch("")),
        ("batch STW101-C-0001", c.Batch("STW101-C-0001")),
        ("ack", c.Acknowledge("")),
        ("acknowledge 7f3c", c.Acknowledge("7f3c")),
        ("wait 2.5", c.Wait(2.5)),
        ("sync", c.Sync()),
        ("status", c.Status()),
        ("clear net_kg", c.Clear("net_kg")),
        ("quit", c.Quit()),
    ],
)
def test_each_word_of_the_vocabulary_is_understood(line: str, command: c.Command) -> None:
    assert c.parse_command(line) == command


@pytest.mark.parametrize("line", ["", "   ", "# a comment", "  # indented comment"])
def test_blank_lines_and_comments_are_no_command(line: str) -> None:
    assert c.parse_command(line) is None


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("jump 3", "unknown command 'jump'"),
        ("value", "value needs a value"),
        ("comment", "comment needs its text"),
        ("next step please", "'next' takes nothing after it"),
        ("verify", "verify needs the verifier's user name"),
        ("wait soon", "wait needs a number of seconds"),
        ("wait -1", "wait takes 0 to 86400 seconds"),
        ("wait nan", "wait takes 0 to 86400 seconds"),
        ("photo two words", "'photo' takes at most one word"),
        ("batch B 1", "'batch' takes at most one word"),
    ],
)
def test_what_is_not_a_command_is_refused_with_a_reason(line: str, reason: str) -> None:
    with pytest.raises(CommandInvalid) as refused:
        c.parse_command(line)
    assert refused.value.reason.startswith(reason)
    assert refused.value.line == line


def test_help_names_every_verb() -> None:
    said = " ".join(c.HELP)
    for verb in ("next", "back", "repeat", "value", "scan", "photo", "confirm", "sign", "verify"):
        assert verb in said
