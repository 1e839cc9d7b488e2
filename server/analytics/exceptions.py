"""Process analytics failures.

StepwiseError
 ├── NotFound
 │    └── UnknownColumn          the procedure records no number by that name (or not as asked)
 └── Invalid
      └── UnsupportedChoice      a query option (`format`, `include`) out of its choices
"""

from __future__ import annotations

from collections.abc import Sequence

from server.errors import Invalid, NotFound, Problem


class UnknownColumn(NotFound):
    """No recorded number of that name and role: `role` is `parameter`, `outcome` or `value`."""

    def __init__(self, key: str, role: str, name: str, known: Sequence[str]) -> None:
        listed = ", ".join(known) if known else "none"
        super().__init__(f"Procedure {key!r} records no {role} {name!r}; its {role}s: {listed}.")
        self.key, self.role, self.name = key, role, name


class UnsupportedChoice(Invalid):
    def __init__(self, option: str, given: str, allowed: Sequence[str]) -> None:
        super().__init__(
            f"{option} {given!r} is not offered here; choose one of {', '.join(allowed)}.",
            problems=[
                Problem(
                    field=option,
                    message=f"one of {', '.join(allowed)}",
                    code="unsupported_choice",
                    value=given,
                )
            ],
        )
