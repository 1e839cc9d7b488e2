"""Procedure library failures.

StepwiseError
 ├── NotFound
 │    ├── ProcedureNotFound        no procedure with that key
 │    └── VersionNotFound          no such version of it
 ├── Conflict
 │    ├── VersionNotDraft          only a draft can be approved
 │    └── NoEffectiveVersion       a batch needs an approved version
 ├── Forbidden
 │    └── SelfApproval             the last editor may not approve their own edit
 └── Invalid
      └── ProcedureSourceInvalid   the procedure file does not validate (file, path, line)
"""

from __future__ import annotations

from procedures.exceptions import ProcedureFileInvalid
from server.errors import Conflict, Forbidden, Invalid, NotFound, Problem


class ProcedureNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(f"No procedure with key {key!r}.")


class VersionNotFound(NotFound):
    def __init__(self, key: str, version: int) -> None:
        super().__init__(f"Procedure {key!r} has no version {version}.")


class VersionNotDraft(Conflict):
    def __init__(self, key: str, version: int, status: str) -> None:
        super().__init__(
            f"Procedure {key!r} version {version} is {status}; only a draft can be approved.",
            current={"status": status},
        )


class NoEffectiveVersion(Conflict):
    def __init__(self, key: str, version: int | None = None) -> None:
        which = (
            f"version {version} of {key!r} is not approved"
            if version
            else (f"procedure {key!r} has no approved version")
        )
        super().__init__(f"Cannot create a batch: {which}.")


class SelfApproval(Forbidden):
    def __init__(self) -> None:
        super().__init__("The last editor of a procedure version may not approve it.")


class ProcedureSourceInvalid(Invalid):
    """Wraps the loader's error so the API can list every issue with its line."""

    def __init__(self, error: ProcedureFileInvalid) -> None:
        super().__init__(
            str(error),
            problems=[
                Problem(
                    issue.path, issue.message, details={"line": issue.line, "file": error.filename}
                )
                for issue in error.issues
            ],
        )
