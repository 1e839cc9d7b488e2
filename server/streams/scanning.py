"""Hands-free scanning: codes in a live stream judged against the batch's active scan step.

While the active step takes scans (scan inputs, or a dispense step's balance and lot), every
code that comes into view is resolved and checked exactly as completing the step would check
a manual scan (`traceability.check_scan`), and announced once: `scan` when the step would
accept it, `scan_rejected` with the manual scan's reason otherwise. A code is announced again
only after it has been out of view for a while, or when the next step starts. Nothing is
recorded here: the headset confirms by completing the step with the announced text.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from media.codes import DecodedCode
from procedures.model import Expectation
from server.batches import traceability
from server.batches.active import active_step_id
from server.batches.models import Batch
from server.db.engine import Database
from server.equipment.exceptions import EquipmentRefused
from server.errors import StepwiseError
from server.events.schemas import EventBase, ScanEvent, ScanRejectedEvent
from server.materials.exceptions import MaterialRefused
from server.redlines.definitions import batch_definition
from server.scans.exceptions import CodeMalformed, CodeUnknown

# Sends transient events to the batch's subscribers.
Publish = Callable[[list[EventBase]], Awaitable[None]]
# Refusals that only say the code is not for this input (not equipment, not a lot, another
# type of equipment, another material): the input it is for explains why it does not fit,
# as a manual scan into that input would (a dirty punch set is dirty, not "not a press").
_WRONG_KIND = frozenset({"not_equipment", "not_a_lot", "wrong_type", "wrong_material"})


@dataclass(frozen=True)
class ScanStep:
    """The active step of a batch and what each of its scans must resolve to."""

    step_id: str
    expects: dict[str, Expectation]


async def active_scan_step(session: AsyncSession, batch_id: str) -> ScanStep | None:
    """The batch's active step if it takes scans, else None."""
    step_id = await active_step_id(session, batch_id)
    if step_id is None:
        return None
    batch = await session.get(Batch, batch_id, options=[joinedload(Batch.procedure_version)])
    assert batch is not None
    step = (await batch_definition(session, batch)).step(step_id)
    expects = traceability.scan_expectations(step)
    return ScanStep(step_id, expects) if expects else None


async def judge(
    session: AsyncSession, batch_id: str, stream_id: str, step: ScanStep, code: DecodedCode
) -> ScanEvent | ScanRejectedEvent:
    """The event a code in view gives: `scan` for the first input that accepts it, else
    `scan_rejected` with the refusal a manual scan of it would get."""
    seen = {
        "batch_id": batch_id,
        "stream_id": stream_id,
        "step_id": step.step_id,
        "text": code.text,
        "format": code.format,
    }
    refusals: list[tuple[str, StepwiseError]] = []
    for name, expects in step.expects.items():
        try:
            found = await traceability.check_scan(session, batch_id, name, code.text, expects)
        except (CodeUnknown, CodeMalformed) as exc:
            refusals = [(name, exc)]  # what the code is does not depend on the input
            break
        except (EquipmentRefused, MaterialRefused) as exc:
            refusals.append((name, exc))
            continue
        return ScanEvent(**seen, input=name, resolved=found.summary())
    name, refusal = next(
        ((n, r) for n, r in refusals if r.problems[0].code not in _WRONG_KIND), refusals[0]
    )
    return ScanRejectedEvent(
        **seen, input=name, reason=refusal.detail, code=refusal.problems[0].code
    )


class ScanWatch:
    """Follows one stream's batch: its active scan step, and the codes in view for it."""

    def __init__(
        self,
        database: Database,
        publish: Publish,
        *,
        batch_id: str,
        stream_id: str,
        forget_after: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._publish = publish
        self.batch_id = batch_id
        self.stream_id = stream_id
        self._forget_after = forget_after
        self._clock = clock
        self.step: ScanStep | None = None
        self._seen: dict[str, float] = {}  # code text → when last in view
        self._announced: dict[tuple[str, str], str] = {}  # (input, item) → code text
        self.announced = 0
        self.refreshes = 0
        self._reading = asyncio.Lock()  # refreshes in the order of the events that asked

    @property
    def active(self) -> bool:
        """Whether the batch's active step takes scans."""
        return self.step is not None

    async def refresh(self) -> None:
        """Re-read the batch's active step (after a step event); a new step starts afresh."""
        async with self._reading:
            async with self._database.sessions(readonly=True)() as session, session.begin():
                step = await active_scan_step(session, self.batch_id)
            if step != self.step:
                self.step = step
                self._seen.clear()
                self._announced.clear()
            self.refreshes += 1

    async def see(self, codes: list[DecodedCode]) -> None:
        """Judge and announce the codes of an analysed frame that just came into view."""
        step, now = self.step, self._clock()
        if step is None:
            return
        entering = {code.text: code for code in codes if code.text not in self._seen}
        self._seen.update((code.text, now) for code in codes)
        gone = {text for text, at in self._seen.items() if now - at > self._forget_after}
        for text in gone:
            del self._seen[text]
        self._announced = {k: text for k, text in self._announced.items() if text not in gone}
        if not entering:
            return
        events = []
        async with self._database.sessions(readonly=True)() as session, session.begin():
            for code in entering.values():
                event = await judge(session, self.batch_id, self.stream_id, step, code)
                resolved = event.resolved if isinstance(event, ScanEvent) else {}
                item = resolved.get("id", code.text)
                if self.step is not step or (event.input, item) in self._announced:
                    continue  # the step moved on, or another code of this item was announced
                self._announced[(event.input, item)] = code.text
                events.append(event)
        self.announced += len(events)
        if events:
            await self._publish(events)
