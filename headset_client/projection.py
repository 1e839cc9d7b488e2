"""The batch as the operator sees it: the server's record with the submissions not yet
answered laid over it, using the same rules as the server (procedures.guardrails, .states).

Pure: no I/O. Laying a submission over a record that already holds it changes nothing (its
step is no longer active), so a record read while a submission is in flight is still right.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from procedures.model import Procedure, Step
from procedures.states import BatchStatus, StepStatus, execution_context, next_steps


@dataclass(frozen=True)
class Submission:
    """What the projection needs to know of a saved submission."""

    kind: Literal["start", "complete", "upload", "acknowledge"]
    step_id: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    calculated: Mapping[str, Any] = field(default_factory=dict)
    comment: str | None = None
    performer: str | None = None
    needs_server: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "step_id": self.step_id,
            "values": dict(self.values),
            "calculated": dict(self.calculated),
            "comment": self.comment,
            "performer": self.performer,
            "needs_server": self.needs_server,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Submission:
        return cls(**data)


@dataclass
class StepState:
    """One step: its definition and what is known of it. `submitted`: active, but waiting
    for the server's answer before anything after it can be done; `local`: not yet confirmed."""

    step: Step
    state: StepStatus
    values: dict[str, Any] = field(default_factory=dict)
    calculated: dict[str, Any] = field(default_factory=dict)
    performer: str | None = None
    comment: str | None = None
    local: bool = False
    submitted: bool = False

    def __post_init__(self) -> None:
        self.state = StepStatus(self.state)

    @property
    def step_id(self) -> str:
        return self.step.id


@dataclass
class BatchState:
    """A batch's status and steps, in execution order; `hold`: why it is on hold (the
    exception waiting for continuation), if it is."""

    batch_id: str
    batch_number: str
    status: BatchStatus
    parameters: dict[str, Any]
    steps: list[StepState]
    hold: str | None = None

    def __post_init__(self) -> None:
        self.status = BatchStatus(self.status)

    def active(self) -> StepState | None:
        """The step to work on now, if any."""
        return next((s for s in self._active() if not s.submitted), None)

    def awaiting(self) -> StepState | None:
        """A step submitted for the server's judgement, holding up the ones after it."""
        return next((s for s in self._active() if s.submitted), None)

    def _active(self) -> Iterator[StepState]:
        return (s for s in self.steps if s.state == StepStatus.ACTIVE)

    def index_of(self, step_id: str) -> int:
        return next(i for i, s in enumerate(self.steps) if s.step_id == step_id)

    def context(self) -> dict[str, Any]:
        """Batch parameters and the values of completed steps: what expressions may use."""
        return execution_context(
            self.parameters, ((s.state, {**s.values, **s.calculated}) for s in self.steps)
        )


def from_record(record: Mapping[str, Any], procedure: Procedure) -> BatchState:
    """The state of a batch as the server's record (`GET /batches/{id}`) describes it."""
    steps = [
        StepState(
            step=procedure.step(item["step_id"]),
            state=item["state"],
            values=dict(item.get("values") or {}),
            calculated=dict(item.get("calculated") or {}),
            performer=(item.get("completed_by") or {}).get("username"),
            comment=item.get("comment"),
        )
        for item in sorted(record["steps"], key=lambda item: item["position"])
    ]
    return BatchState(
        batch_id=record["id"],
        batch_number=record["batch_number"],
        status=record["status"],
        parameters=dict(record.get("parameters") or {}),
        steps=steps,
        hold=_waiting_hold(record) if record["status"] == BatchStatus.ON_HOLD else None,
    )


def _waiting_hold(record: Mapping[str, Any]) -> str:
    """The reason of the oldest hold still waiting for continuation."""
    waiting = [h for h in record.get("holds") or [] if h.get("lifted_at") is None]
    if not waiting:
        return "a blocking exception"
    hold = waiting[0]
    number = hold.get("deviation_number")
    return f"{hold['reason']} ({number})" if number else str(hold["reason"])


def project(state: BatchState, submissions: Iterable[Submission]) -> BatchState:
    """`state` with each submission applied in order, as the server will apply them."""
    for submission in submissions:
        apply(state, submission)
    return state


def apply(state: BatchState, submission: Submission) -> None:
    """Apply one submission; one the record already reflects changes nothing."""
    if submission.kind == "start":
        if state.status.startable:
            state.status = BatchStatus.IN_PROGRESS
            advance(state)
        return
    if submission.kind != "complete" or not state.status.executing:
        return
    target = next((s for s in state.steps if s.step_id == submission.step_id), None)
    if target is None or target.state != StepStatus.ACTIVE or target.submitted:
        return
    if submission.needs_server:
        target.submitted = True
        return
    target.state, target.local = StepStatus.COMPLETED, True
    target.values = dict(submission.values)
    target.calculated = dict(submission.calculated)
    target.performer, target.comment = submission.performer, submission.comment
    advance(state)


def advance(state: BatchState) -> None:
    """Move the batch on by the server's rules (procedures.states.next_steps)."""
    steps = {s.step_id: s for s in state.steps}
    following = next_steps(
        [s.step for s in state.steps],
        {step_id: s.state for step_id, s in steps.items()},
        state.context(),
    )
    for skipped in following.skipped:
        steps[skipped.id].state, steps[skipped.id].local = StepStatus.SKIPPED, True
    if following.activated is not None:
        steps[following.activated.id].state = StepStatus.ACTIVE
    if following.batch_completed:
        state.status = BatchStatus.COMPLETED


def server_needed(step: Step) -> str | None:
    """Why completing `step` needs the server's answer first, or None if the client can
    check it alone (same guardrails, shipped with the procedure version)."""
    if step.kind == "verification":
        return "a verification needs the verifier's e-signature, checked by the server"
    if step.signature is not None:
        return "an e-signature is checked by the server"
    if step.dispense is not None or any(item.type == "scan" for item in step.inputs):
        return "scanned codes are checked against equipment and lots on the server"
    if step.hold is not None:
        return "hold times are measured by the server's clock"
    return None
