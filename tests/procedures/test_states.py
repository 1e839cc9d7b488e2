"""The batch's state machine: what comes next, and what each batch status allows."""

import json

from procedures.model import Step
from procedures.states import BatchStatus, NextSteps, StepStatus, execution_context, next_steps


def _step(step_id: str, when: str | None = None) -> Step:
    fields = {"id": step_id, "title": step_id, "kind": "instruction", "when": when}
    return Step.model_validate(fields)


STEPS = [
    _step("clean"),
    _step("rework", when="appearance == 'does not conform'"),
    _step("inspect", when="appearance == 'conforms'"),
    _step("release"),
]
P, A, C, S = StepStatus.PENDING, StepStatus.ACTIVE, StepStatus.COMPLETED, StepStatus.SKIPPED


def _states(*states: StepStatus) -> dict[str, StepStatus]:
    return {step.id: state for step, state in zip(STEPS, states, strict=True)}


def test_the_first_step_is_activated_when_a_batch_starts() -> None:
    assert next_steps(STEPS, _states(P, P, P, P), {}) == NextSteps(activated=STEPS[0])


def test_steps_whose_condition_is_false_are_skipped_up_to_the_next_applicable_one() -> None:
    following = next_steps(STEPS, _states(C, P, P, P), {"appearance": "conforms"})
    assert following == NextSteps(skipped=(STEPS[1],), activated=STEPS[2])


def test_a_condition_that_cannot_be_evaluated_is_performed_rather_than_skipped() -> None:
    following = next_steps(STEPS, _states(C, P, P, P), {})
    assert following == NextSteps(activated=STEPS[1])


def test_the_batch_completes_when_no_pending_step_applies() -> None:
    following = next_steps(STEPS, _states(C, C, P, S), {"appearance": "does not conform"})
    assert following == NextSteps(skipped=(STEPS[2],), batch_completed=True)
    assert next_steps(STEPS, _states(C, S, C, C), {}) == NextSteps(batch_completed=True)


def test_nothing_moves_while_a_step_is_active() -> None:
    assert next_steps(STEPS, _states(C, A, P, P), {"appearance": "conforms"}) == NextSteps()


def test_states_are_the_strings_stored_and_sent() -> None:
    assert StepStatus("active") is StepStatus.ACTIVE
    assert BatchStatus.IN_PROGRESS == "in_progress"
    assert json.dumps({"state": StepStatus.SKIPPED}) == '{"state": "skipped"}'
    assert f"{BatchStatus.COMPLETED}" == "completed"


def test_each_batch_status_says_what_it_allows() -> None:
    allowed = {
        status: (
            status.startable,
            status.executing,
            status.correctable,
            status.open,
            status.locked,
        )
        for status in BatchStatus
    }
    assert allowed == {
        BatchStatus.CREATED: (True, False, False, True, False),
        BatchStatus.IN_PROGRESS: (False, True, True, True, False),
        BatchStatus.ON_HOLD: (False, False, True, True, False),
        BatchStatus.COMPLETED: (False, False, True, False, False),
        BatchStatus.RELEASED: (False, False, False, False, True),
        BatchStatus.REJECTED: (False, False, False, False, True),
    }


def test_expressions_see_parameters_and_only_completed_steps_values() -> None:
    context = execution_context(
        {"batch_size_kg": 10, "net_kg": 0},
        [(C, {"net_kg": 9.8}), (A, {"draft": 1}), (S, {}), (C, {"yield_pct": 98.0})],
    )
    assert context == {"batch_size_kg": 10, "net_kg": 9.8, "yield_pct": 98.0}
