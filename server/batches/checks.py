"""What completing and correcting a step both check, and how a refusal is audited."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from procedures.exceptions import StepRejected
from procedures.guardrails import StepOutcome, evaluate_step
from procedures.model import Step
from server.auth import service as auth
from server.auth.exceptions import RoleNotPermitted, SigningSessionNotOpen
from server.auth.models import User
from server.batches import traceability
from server.batches.evidence import photo_problems
from server.batches.exceptions import StepValuesRejected
from server.batches.models import Batch
from server.batches.step_rows import StepState
from server.errors import Refusal, StepwiseError
from server.signatures import service as signatures

INCOMPLETE_SIGNATURES = (signatures.SignatureRequired, SigningSessionNotOpen)


@contextmanager
def refusals_audited(
    user: User, batch: Batch, record: StepState, action: str, values: Mapping[str, Any]
) -> Iterator[None]:
    """Give a domain error raised inside what the audit trail records of the refusal."""
    refusal = Refusal(
        user.id,
        auth.actor_of(user).label,
        action,
        "step",
        record.id,
        batch.id,
        {"step_id": record.step_id, "values": dict(values)},
    )
    try:
        yield
    except StepwiseError as exc:
        signing = _signature_refused(exc, record)
        if signing is not None:
            # The trace names the signer (review and the signature_retried deviation look for
            # it); keep what was sent with it.
            refusal = replace(signing, detail={**refusal.detail, **signing.detail})
        raise exc.with_refusal(refusal) from exc


def _signature_refused(exc: StepwiseError, record: StepState) -> Refusal | None:
    """The signing rule's trace of an e-signature given on this step and refused (one that is
    missing, or lacks the username a signing session opens with, is no refused signature)."""
    signing = exc.refusal
    if signing is None or isinstance(exc, INCOMPLETE_SIGNATURES):
        return None
    return signing if (signing.entity_type, signing.entity_id) == ("step", record.id) else None


def check_role(user: User, step: Step, doing: str) -> None:
    """Refuse a user holding none of the roles the step names."""
    if not user.has_any_role(step.roles):
        raise RoleNotPermitted(f"{doing} step {step.id!r}", step.roles)


def evaluate(
    step: Step, values: Mapping[str, Any], context: Mapping[str, Any], comment: str | None
) -> StepOutcome:
    """The step's guardrails over the proposed values: refused past a hard limit."""
    try:
        return evaluate_step(step, traceability.proposed_inputs(step, values), context, comment)
    except StepRejected as exc:
        raise StepValuesRejected(step.id, exc.problems) from exc


async def check_photos(session: AsyncSession, step: Step, values: Mapping[str, Any]) -> None:
    """Refuse photo inputs naming no stored photo."""
    if missing := await photo_problems(session, step, values):
        raise StepValuesRejected(step.id, missing)
