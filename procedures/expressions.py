"""A small, safe expression language for `when` conditions and calculations.

Python syntax restricted to arithmetic, comparisons, `and`/`or`/`not`, `a if c else b`, numbers,
strings, True/False, names and calls to `min`, `max`, `abs` and `round`. Text is checked against
that whitelist before anything runs, and evaluated by simpleeval, never by `eval`.
"""

from __future__ import annotations

import ast
import keyword
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from simpleeval import DEFAULT_OPERATORS, InvalidExpression, SimpleEval

from procedures.exceptions import ExpressionFailed, ExpressionInvalid

MAX_LENGTH = 500
MAX_DEPTH = 32

FUNCTIONS = MappingProxyType({"min": min, "max": max, "abs": abs, "round": round})
_ARITY = MappingProxyType({"min": (2, None), "max": (2, None), "abs": (1, 1), "round": (1, 2)})

RESERVED_NAMES = frozenset(FUNCTIONS) | frozenset(keyword.kwlist)
"""Names a value may not take, because expressions could not refer to it."""

_OPERATORS = MappingProxyType(
    {
        **{
            op: DEFAULT_OPERATORS[op]
            for op in (
                *(ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod),
                *(ast.UAdd, ast.USub, ast.Not),
                *(ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE),
            )
        },
        # Float power overflows with an error instead of building a huge integer.
        ast.Pow: math.pow,
    }
)
_NODES = (
    *(ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.UnaryOp, ast.Compare),
    *(ast.IfExp, ast.Call, ast.Name, ast.Load, ast.Constant),
    *_OPERATORS,
)
_CONSTANTS = (bool, int, float, str)
_DESCRIPTIONS = MappingProxyType(
    {
        ast.Attribute: "attribute access",
        ast.Subscript: "indexing",
        ast.keyword: "keyword argument",
        ast.Lambda: "lambda",
        ast.NamedExpr: "assignment",
        ast.Starred: "unpacking",
        ast.ListComp: "comprehension",
        ast.GeneratorExp: "comprehension",
        ast.In: "'in'",
        ast.NotIn: "'not in'",
        ast.Is: "'is'",
        ast.IsNot: "'is not'",
        **dict.fromkeys(
            (ast.BitAnd, ast.BitOr, ast.BitXor, ast.Invert, ast.LShift, ast.RShift),
            "bitwise operation",
        ),
    }
)


@dataclass(frozen=True)
class Expression:
    """A validated expression; `names` are the values it reads."""

    text: str
    names: frozenset[str]
    _tree: ast.Expression = field(repr=False, compare=False)

    def evaluate(self, context: Mapping[str, object]) -> object:
        """Evaluate with values from `context`; a missing or None value fails."""
        missing = sorted(name for name in self.names if context.get(name) is None)
        if missing:
            raise ExpressionFailed(self.text, f"no value for {', '.join(missing)}")
        evaluator = SimpleEval(
            operators=dict(_OPERATORS),
            functions=dict(FUNCTIONS),
            names={name: context[name] for name in self.names},
        )
        try:
            return evaluator.eval(self.text, previously_parsed=self._tree.body)
        except (InvalidExpression, ArithmeticError, TypeError, ValueError) as exc:
            raise ExpressionFailed(self.text, str(exc)) from exc


def parse_expression(text: str) -> Expression:
    """Parse and check `text`; raises ExpressionInvalid naming the offending construct."""
    if not text.strip():
        raise ExpressionInvalid(text, "the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionInvalid(text, f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionInvalid(text, f"syntax error: {exc.msg}", exc.offset or None) from exc
    return Expression(text, _checked_names(text, tree), tree)


def _checked_names(text: str, tree: ast.Expression) -> frozenset[str]:
    """Walk the whole tree, rejecting anything off the whitelist; return the names read."""
    names: set[str] = set()
    called: set[int] = set()
    stack: list[tuple[ast.AST, int, int | None]] = [(tree, 0, None)]
    while stack:
        node, depth, parent_column = stack.pop()
        column = getattr(node, "col_offset", None)
        column = parent_column if column is None else column + 1
        problem = _problem(node, depth, called)
        if problem:
            raise ExpressionInvalid(text, problem, column)
        if isinstance(node, ast.Call):
            called.add(id(node.func))
        elif isinstance(node, ast.Name) and id(node) not in called:
            names.add(node.id)
        stack.extend((child, depth + 1, column) for child in ast.iter_child_nodes(node))
    return frozenset(names)


def _problem(node: ast.AST, depth: int, called: set[int]) -> str | None:
    """What makes `node` unacceptable, if anything."""
    if depth > MAX_DEPTH:
        return "the expression is nested too deeply"
    if not isinstance(node, _NODES):
        description = _DESCRIPTIONS.get(type(node), type(node).__name__)
        return f"{description} is not allowed"
    if isinstance(node, ast.Constant) and not isinstance(node.value, _CONSTANTS):
        return f"the constant {node.value!r} is not allowed"
    if isinstance(node, ast.Call):
        return _call_problem(node)
    if isinstance(node, ast.Name) and id(node) not in called and node.id in FUNCTIONS:
        return f"{node.id} is a function; call it like {node.id}(a, b)"
    return None


def _call_problem(call: ast.Call) -> str | None:
    if not isinstance(call.func, ast.Name) or call.func.id not in FUNCTIONS:
        return f"only {', '.join(FUNCTIONS)} may be called"
    low, high = _ARITY[call.func.id]
    count = len(call.args)
    if count < low or (high is not None and count > high):
        wanted = f"at least {low}" if high is None else " or ".join(map(str, {low, high}))
        return f"{call.func.id} takes {wanted} argument(s), not {count}"
    return None
