"""Numbers as they are spoken ("twelve point five", "one hundred and two") and back. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from headset_client.exceptions import CommandInvalid

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SMALL = {word: n for n, word in enumerate(DIGITS)} | {"oh": 0}
_SMALL |= {word: 10 + n for n, word in enumerate(TEENS)}
_SMALL |= {word: 20 + 10 * n for n, word in enumerate(TENS)}
NUMBER_WORDS = frozenset({*_SMALL, "hundred", "thousand", "and", "point", "minus"})

# The JSGF rules of a number: an integer below a million, then digits after "point".
JSGF_RULES = f"""\
<digit> = {" | ".join((*DIGITS, "oh"))};
<unit> = {" | ".join(DIGITS[1:])};
<under_hundred> = <unit> | {" | ".join(TEENS)} | ({" | ".join(TENS)}) [<unit>];
<under_thousand> = <under_hundred> | <unit> hundred [[and] <under_hundred>];
<integer> = zero | oh | <under_thousand> | <under_thousand> thousand [[and] <under_thousand>];
<unsigned> = <integer> [point <digit>+] | point <digit>+;
"""
# Only where an input may take a value below zero: "minus" is otherwise a word to mishear.
NUMBER_RULE = "<number> = <unsigned>;\n"
SIGNED_NUMBER_RULE = "<number> = [minus] <unsigned>;\n"


def spoken_number(words: Sequence[str]) -> str:
    """The number the words say, as digits ("12.5"); CommandInvalid when they say none."""
    said = " ".join(words)
    if not words:
        raise CommandInvalid(said, "no number said")
    sign = ""
    if words[0] == "minus":
        sign, words = "-", words[1:]
    whole, point, decimals = _split(words, "point")
    if not whole and not point:
        raise CommandInvalid(said, "no number said")
    digits = [_SMALL.get(word) for word in decimals]
    if point and (not digits or any(d is None or d > 9 for d in digits)):
        raise CommandInvalid(said, "after 'point' say digits one by one")
    integer = _integer(said, whole) if whole else 0
    fraction = "." + "".join(str(d) for d in digits) if point else ""
    return f"{sign}{integer}{fraction}"


def number_words(text: str) -> str:
    """How a number written in digits is said ("12.5" -> "twelve point five")."""
    sign, text = ("minus ", text[1:]) if text.startswith("-") else ("", text)
    whole, _, fraction = text.partition(".")
    said = _say_integer(int(whole or "0"))
    if fraction:
        said += " point " + " ".join(DIGITS[int(d)] for d in fraction)
    return sign + said


def _split(words: Sequence[str], word: str) -> tuple[Sequence[str], bool, Sequence[str]]:
    if word in words:
        at = list(words).index(word)
        return words[:at], True, words[at + 1 :]
    return words, False, ()


def _integer(said: str, words: Sequence[str]) -> int:
    total, group = 0, 0
    previous = None
    for word in words:
        if word == "and":
            continue
        if word == "thousand" and group and total == 0:
            total, group = group * 1000, 0
        elif word == "hundred" and 0 < group < 10:
            group *= 100
        elif word in _SMALL and _follows(previous, _SMALL[word]):
            group += _SMALL[word]
        else:
            raise CommandInvalid(said, f"'{' '.join(words)}' is not a number")
        previous = word
    return total + group


def _follows(previous: str | None, value: int) -> bool:
    """Whether a number word may come after the previous one ("twenty" then "five")."""
    if previous is None or previous in {"hundred", "thousand", "and"}:
        return True
    return previous in TENS and 0 < value < 10


def _say_integer(n: int) -> str:
    if n >= 1000:
        rest = n % 1000
        return _say_integer(n // 1000) + " thousand" + (f" {_say_integer(rest)}" if rest else "")
    if n >= 100:
        rest = n % 100
        return DIGITS[n // 100] + " hundred" + (f" and {_say_integer(rest)}" if rest else "")
    if n >= 20:
        return TENS[n // 10 - 2] + (f" {DIGITS[n % 10]}" if n % 10 else "")
    return TEENS[n - 10] if n >= 10 else DIGITS[n]
