"""Errors of the procedures domain. They carry data; mapping them to HTTP is the server's job.

ProcedureError
├── ProcedureFileInvalid    a procedure file cannot be loaded; issues name path and line
├── DefinitionInvalid       a procedure document (JSON) does not validate; issues name pointers
├── ExpressionError         something is wrong with an expression
│   ├── ExpressionInvalid   the text is not a valid, safe expression
│   └── ExpressionFailed    a valid expression could not be evaluated (missing value, /0)
└── ValuesRejected          proposed values break the guardrails; problems name each field
    ├── StepRejected        ... of a step completion
    └── ParametersRejected  ... of the parameters given when a batch is created
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procedures.guardrails import FieldProblem
    from procedures.loader import FileIssue


class ProcedureError(Exception):
    """Base of every error raised by the procedures package."""


class ProcedureFileInvalid(ProcedureError):
    """A procedure file could not be loaded; one line per issue, `file:line: path: message`."""

    def __init__(self, filename: str, issues: list[FileIssue]) -> None:
        self.filename = filename
        self.issues = issues
        super().__init__("\n".join(_issue_line(filename, issue) for issue in issues))


class DefinitionInvalid(ProcedureError):
    """A procedure document does not validate; `issues` are `(json_pointer, message)`."""

    def __init__(self, issues: list[tuple[str, str]]) -> None:
        self.issues = issues
        super().__init__("; ".join(f"{pointer or '/'}: {message}" for pointer, message in issues))


def _issue_line(filename: str, issue: FileIssue) -> str:
    where = filename if issue.line is None else f"{filename}:{issue.line}"
    return ": ".join(part for part in (where, issue.path, issue.message) if part)


class ExpressionError(ProcedureError):
    """An expression (a `when` condition or a calculation) cannot be used."""

    def __init__(self, text: str, message: str) -> None:
        self.text = text
        self.message = message
        super().__init__(text, message)

    def __str__(self) -> str:
        return f"{self.message} in expression {self.text!r}"


class ExpressionInvalid(ExpressionError):
    """The text is not a valid expression; `column` is 1-based when known."""

    def __init__(self, text: str, message: str, column: int | None = None) -> None:
        super().__init__(text, message)
        self.column = column

    @property
    def reason(self) -> str:
        """The message with the column, for reports that already show the text's location."""
        return self.message if self.column is None else f"{self.message} (column {self.column})"

    def __str__(self) -> str:
        return f"{self.reason} in expression {self.text!r}"


class ExpressionFailed(ExpressionError):
    """A valid expression could not be evaluated with the values at hand."""


class ValuesRejected(ProcedureError):
    """Proposed values break the guardrails; nothing may be recorded."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


class StepRejected(ValuesRejected):
    """A step completion was refused: a hard limit, a missing or malformed value, no comment."""


class ParametersRejected(ValuesRejected):
    """The parameters given for a new batch are missing, malformed or out of limits."""
