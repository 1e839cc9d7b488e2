import pytest

from procedures.exceptions import ExpressionFailed, ExpressionInvalid
from procedures.expressions import parse_expression


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("output_kg / theoretical_kg * 100", {"output_kg": 11.4, "theoretical_kg": 12}, 95.0),
        ("(a + b) * 2 - c % 3", {"a": 1, "b": 2, "c": 5}, 4),
        ("2 ** 3", {}, 8.0),
        ("lod_pct > 2.0", {"lod_pct": 2.4}, True),
        ("1.0 <= x <= 2.0", {"x": 2.5}, False),
        ("a > 1 and not b", {"a": 2, "b": False}, True),
        ("a > 1 or b", {"a": 0, "b": True}, True),
        ("appearance == 'does not conform'", {"appearance": "conforms"}, False),
        ("'high' if x > 10 else 'low'", {"x": 11}, "high"),
        ("min(a, b, 3)", {"a": 5, "b": 4}, 3),
        ("max(a, b)", {"a": 5, "b": 4}, 5),
        ("abs(a - b)", {"a": 4, "b": 5}, 1),
        ("round(x, 2)", {"x": 99.876}, 99.88),
        ("round(x)", {"x": 2.6}, 3),
    ],
)
def test_evaluates_arithmetic_comparisons_conditionals_and_functions(
    text: str, context: dict[str, object], expected: object
) -> None:
    assert parse_expression(text).evaluate(context) == expected


def test_names_are_the_values_read_but_not_the_functions_called() -> None:
    expression = parse_expression("round(output_kg / max(theoretical_kg, 1), 1) if ok else 0")

    assert expression.names == frozenset({"output_kg", "theoretical_kg", "ok"})


def test_expression_is_immutable_and_compares_by_text() -> None:
    expression = parse_expression("a + 1")

    with pytest.raises(AttributeError):
        expression.text = "a + 2"  # type: ignore[misc]
    assert expression == parse_expression("a + 1")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "only min, max, abs, round may be called"),
        ("__import__('os').system('ls')", "may be called"),
        ("batch.__class__", "attribute access is not allowed"),
        ("x.real", "attribute access is not allowed"),
        ("values[0]", "indexing is not allowed"),
        ("(lambda: 1)", "lambda is not allowed"),
        ("[v for v in x]", "comprehension is not allowed"),
        ("round(x, ndigits=2)", "keyword argument is not allowed"),
        ("(y := 2)", "assignment is not allowed"),
        ("a in b", "'in' is not allowed"),
        ("a | b", "bitwise operation is not allowed"),
        ("None", "the constant None is not allowed"),
        ("min", "min is a function"),
        ("max(1)", "max takes at least 2 argument(s), not 1"),
        ("abs(1, 2)", "abs takes 1 argument(s), not 2"),
        ("1 +", "syntax error"),
        ("a = 1", "syntax error"),
        ("", "the expression is empty"),
        ("1" + " + 1" * 200, "longer than 500 characters"),
        ("-" * 40 + "1", "nested too deeply"),
    ],
)
def test_rejects_anything_outside_the_whitelist(text: str, message: str) -> None:
    with pytest.raises(ExpressionInvalid) as info:
        parse_expression(text)

    assert message in info.value.message
    assert info.value.text == text


def test_invalid_expression_reports_the_column_of_the_offending_construct() -> None:
    with pytest.raises(ExpressionInvalid) as info:
        parse_expression("a + b.c")

    assert info.value.column == 5
    assert str(info.value) == "attribute access is not allowed (column 5) in expression 'a + b.c'"


@pytest.mark.parametrize(
    ("text", "context", "message"),
    [
        ("a / b", {"a": 1, "b": 0}, "division by zero"),
        ("a + 1", {}, "no value for a"),
        ("a + b", {"a": None, "b": 1}, "no value for a"),
        ("a + 1", {"a": "text"}, "can only concatenate str"),
        ("10.0 ** 400", {}, "range error"),
        ("a < 1", {"a": "x"}, "not supported"),
    ],
)
def test_evaluation_errors_raise_expression_failed(
    text: str, context: dict[str, object], message: str
) -> None:
    expression = parse_expression(text)

    with pytest.raises(ExpressionFailed) as info:
        expression.evaluate(context)

    assert message in info.value.message
    assert info.value.text == text
