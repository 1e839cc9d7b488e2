"""Procedure library failures.

StepwiseError
 ├── NotFound
 │    ├── ProcedureNotFound        no procedure with that key
 │    └── VersionNotFound          no such version of it
 ├── Conflict
 │    ├── WrongVersionStatus       the act needs another status (approve needs in_review, ...)
 │    ├── OpenVersionExists        a procedure has one draft or version in review at a time
 │    └── NoEffectiveVersion       a batch needs an approved version
 ├── Forbidden
 │    └── SelfApproval             an author of a version may not approve it
 ├── PreconditionRequired
 │    └── RevisionRequired         an edit must name the revision it was made on (If-Match)
 ├── PreconditionFailed
 │    └── StaleRevision            the draft was edited since that revision
 └── Invalid
      ├── ProcedureSourceInvalid   the procedure file does not validate (file, path, line)
      ├── ProcedureDefinitionInvalid  the JSON definition does not validate (JSON pointers)
      └── ProcedureKeyMismatch     a definition must keep its procedure's key
"""

from __future__ import annotations

from procedures.exceptions import DefinitionInvalid, ProcedureFileInvalid
from server.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Problem,
)


class ProcedureNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(f"No procedure with key {key!r}.")


class VersionNotFound(NotFound):
    def __init__(self, key: str, version: int) -> None:
        super().__init__(f"Procedure {key!r} has no version {version}.")


class WrongVersionStatus(Conflict):
    def __init__(self, key: str, version: int, status: str, act: str, needed: str) -> None:
        super().__init__(
            f"Procedure {key!r} version {version} is {status}; only {needed} can be {act}.",
            current={"status": status},
        )


class OpenVersionExists(Conflict):
    def __init__(self, key: str, version: int, status: str) -> None:
        super().__init__(
            f"Procedure {key!r} already has version {version} {status.replace('_', ' ')}; "
            "edit, approve or reject it first.",
            current={"version": version, "status": status},
        )


class ProcedureKeyMismatch(Invalid):
    def __init__(self, key: str, given: str) -> None:
        message = f"the key of this procedure is {key!r}"
        super().__init__(
            f"The definition's key {given!r} is not this procedure's key {key!r}.",
            problems=[Problem("/key", message, details={"pointer": "/key"})],
        )


class RevisionRequired(PreconditionRequired):
    def __init__(self, revision: int) -> None:
        super().__init__(
            f'Send If-Match with the revision of the draft you edited (now "{revision}").'
        )


class StaleRevision(PreconditionFailed):
    def __init__(self, given: str, revision: int) -> None:
        super().__init__(
            f"The draft was changed since revision {given}; it is now at revision {revision}. "
            "Nothing was saved: reload it and apply your change again.",
            current={"revision": revision},
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
        super().__init__("An author of a procedure version may not approve it.")


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


class ProcedureDefinitionInvalid(Invalid):
    """Lists every problem of a definition at its JSON pointer (`/operations/1/steps/0`)."""

    def __init__(self, error: DefinitionInvalid) -> None:
        super().__init__(
            f"The procedure definition has {len(error.issues)} problem(s): {error}",
            problems=[
                Problem(pointer, message, details={"pointer": pointer})
                for pointer, message in error.issues
            ],
        )
