"""Step media failures.

StepwiseError
 ├── NotFound
 │    ├── StepNotInVersion       the version has no step with that id
 │    └── StepMediaNotAttached   the step has no file with that id
 └── Conflict
      └── StepMediaAttached      the file is already attached to the step
"""

from __future__ import annotations

from server.errors import Conflict, NotFound


class StepNotInVersion(NotFound):
    def __init__(self, key: str, version: int, step_id: str) -> None:
        super().__init__(f"Procedure {key!r} version {version} has no step {step_id!r}.")


class StepMediaNotAttached(NotFound):
    def __init__(self, step_id: str, media_id: str) -> None:
        super().__init__(f"Step {step_id!r} has no attached file {media_id!r}.")


class StepMediaAttached(Conflict):
    def __init__(self, step_id: str, media_id: str) -> None:
        super().__init__(
            f"The file {media_id} is already attached to step {step_id!r}.",
            current={"media_id": media_id},
        )
