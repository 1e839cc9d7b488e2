"""What each command does: entering values, scanning, photos, completing, moving the view.

`Operator.execute` answers with the lines the operator sees or hears. A refusal is an
EntryRefused: refused by the headset, nothing was saved; refused by the server, the submission
stays in the outbox as a conflict.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from headset_client import commands as c
from headset_client.entry import (
    SaidValue,
    check_entries,
    check_step,
    photo_target,
    scan_target,
    value_entry,
)
from headset_client.exceptions import EntryRefused, ServerRefused, ServerUnreachable
from headset_client.outbox import Request
from headset_client.projection import BatchState, StepState, Submission, server_needed
from headset_client.render import describe_step, hold_line
from headset_client.session import HeadsetSession, conflict_line
from headset_client.step_media import fetch_media, media_lines, media_path
from media.exceptions import Gs1Invalid
from media.gs1 import looks_like_gs1, parse_gs1
from procedures.guardrails import Alert
from procedures.holds import is_blocking
from procedures.model import Step
from procedures.states import StepStatus

if TYPE_CHECKING:
    from headset_client.camera.live import LiveCamera

# How long an interactive operator waits for the server's answer to a step only it can
# judge before going on (the answer is announced when it comes).
INTERACTIVE_ANSWER_SECONDS = 3.0


class Operator:
    """The commands of one headset session."""

    def __init__(self, session: HeadsetSession, camera: LiveCamera | None = None) -> None:
        self.session = session
        self.camera = camera
        self._drafts: dict[str, dict[str, Any]] = {}
        self._comments: dict[str, str] = {}
        self._view: str | None = None

    async def execute(self, command: c.Command) -> list[str]:
        """Carry out one command; the lines to show."""
        match command:
            case c.Help():
                return list(c.HELP)
            case c.Batch(number=""):
                return await self._list_batches()
            case c.Batch(number=number):
                await self.session.choose_batch(number)
                self._view = None
                return self._show_current()
            case c.Status():
                return await self._status()
            case c.Sync():
                return await self._sync()
            case c.Wait(seconds=seconds):
                await asyncio.sleep(seconds)
                return []
            case c.Repeat():
                return self._show_current()
            case c.Next() | c.Back():
                return self._move(1 if isinstance(command, c.Next) else -1)
            case c.Acknowledge(annotation_id=annotation_id):
                return await self._acknowledge(annotation_id)
            case c.Media(number=number):
                return await self._media(number)
            case c.Quit():
                return []
        state = await self._active()
        match command:
            case c.Value(text=text):
                return self._enter(state, [value_entry(state.step, self._drafts_of(state), text)])
            case c.Check(text=text):
                return self._enter(state, check_entries(state.step, self._drafts_of(state), text))
            case c.Scan(text=text):
                return await self._scan(state, text)
            case c.Photo(name=name):
                return await self._photo(state, name)
            case c.Comment(text=text):
                self._comments[state.step_id] = text
                return [f"comment noted for {state.step.title}"]
            case c.Clear(name=name):
                return self._clear(state, name)
            case c.Confirm():
                return await self._complete(state, None, None)
            case c.Sign(password=password):
                return await self._complete(state, "performed", password)
            case c.Verify(username=username, password=password):
                return await self._complete(state, "verified", password, username)
        raise EntryRefused(f"{command} cannot be done here")

    # -- the view -------------------------------------------------------------------------

    def _show_current(self) -> list[str]:
        batch = self.session.require_batch()
        self._view = None
        held = [line] if (line := hold_line(batch)) else []
        focus = batch.active() or batch.awaiting()
        if focus is None:
            return [*held, f"[{batch.batch_number}] batch {batch.status.replace('_', ' ')}"]
        return [*held, *self._describe(batch, focus)]

    def _move(self, by: int) -> list[str]:
        batch = self.session.require_batch()
        current = batch.active() or batch.awaiting()
        start = self._view or (current.step_id if current else batch.steps[-1].step_id)
        index = batch.index_of(start) + by
        if not 0 <= index < len(batch.steps):
            return ["no step " + ("after" if by > 0 else "before") + " this one"]
        target = batch.steps[index]
        self._view = target.step_id
        lines = self._describe(batch, target)
        if target.state == StepStatus.PENDING:
            lines.append("  (not yet: 'repeat' goes back to the active step)")
        return lines

    async def _media(self, number: int) -> list[str]:
        """The files of the step in view, or file `number` fetched into the media folder."""
        batch = self.session.require_batch()
        focus = batch.active() or batch.awaiting()
        viewed = self._view or (focus.step_id if focus is not None else None)
        if viewed is None:
            raise EntryRefused("no step in view")
        step = batch.steps[batch.index_of(viewed)].step
        if number == 0:
            return media_lines(step) or [f"step {step.id!r} has no pictures, videos or PDFs"]
        folder = self.session.options.outbox_path.parent / "media"
        try:
            saved = await fetch_media(self.session.api, step, number, folder)
        except ServerUnreachable as exc:
            raise EntryRefused(f"the file cannot be fetched now: {exc}") from exc
        item = step.media[number - 1]
        return [
            f"media {number}: {item.caption or item.kind} saved to {saved} ({media_path(item)})"
        ]

    def _describe(self, batch: BatchState, state: StepState) -> list[str]:
        drafts = {**self.session.suggestions.get(state.step_id, {}), **self._drafts_of(state)}
        return describe_step(batch, state, drafts, self._comments.get(state.step_id))

    # -- entering values ------------------------------------------------------------------

    async def _active(self) -> StepState:
        """The step being worked on; a patient (scripted) operator waits for the server."""
        session = self.session
        batch = session.require_batch()
        if session.options.patient and batch.awaiting() is not None:
            await session.settled(session.options.wait_seconds)
            batch = session.require_batch()
        active = batch.active()
        if active is not None:
            self._view = None
            return active
        awaiting = batch.awaiting()
        if awaiting is not None:
            raise EntryRefused(f"step {awaiting.step_id!r} is waiting for the server's answer")
        if (held := hold_line(batch)) is not None:
            raise EntryRefused(held)
        raise EntryRefused(f"batch {batch.batch_number} is {batch.status.replace('_', ' ')}")

    def _drafts_of(self, state: StepState) -> dict[str, Any]:
        return self._drafts.setdefault(state.step_id, {})

    def _enter(self, state: StepState, entries: list[SaidValue]) -> list[str]:
        drafts = self._drafts_of(state)
        lines = []
        for entry in entries:
            drafts[entry.name] = entry.value
            lines.append(f"{entry.name} = {_spoken(entry.value)}")
            if entry.note:
                lines.append(entry.note)
        return lines

    def _clear(self, state: StepState, name: str) -> list[str]:
        drafts = self._drafts_of(state)
        if name:
            drafts.pop(name, None)
            self.session.suggestions.get(state.step_id, {}).pop(name, None)
            return [f"{name} cleared"]
        drafts.clear()
        self.session.suggestions.pop(state.step_id, None)
        self._comments.pop(state.step_id, None)
        return ["everything said for this step is cleared"]

    async def _scan(self, state: StepState, text: str) -> list[str]:
        name, code = scan_target(state.step, self._drafts_of(state), text)
        if not code:
            code = self.session.suggestions.get(state.step_id, {}).get(name, "")
        if not code:
            code = await self._read_code()
        self._drafts_of(state)[name] = code
        return [f"scanned {code} for {name}", *await self._gs1_lines(code)]

    async def _gs1_lines(self, code: str) -> list[str]:
        """A GS1 code's data (GTIN, lot, expiry, serial) and whether the server's material
        master has its GTIN; offline, the data alone."""
        if not looks_like_gs1(code):
            return []
        try:
            data = parse_gs1(code)
        except Gs1Invalid as exc:
            return [f"GS1 code not readable: {exc}"]
        facts = [
            ("GTIN", data.gtin),
            ("lot", data.lot),
            ("expiry", data.expiry),
            ("serial", data.serial),
        ]
        lines = ["GS1: " + ", ".join(f"{name} {value}" for name, value in facts if value)]
        if data.gtin is None or not self.session.online:
            return lines
        try:
            answer = await self.session.api.send(Request.json("POST", "/scans", {"text": code}))
        except (ServerUnreachable, ServerRefused):
            return [*lines, f"GTIN {data.gtin} not checked: the server did not answer"]
        known = answer.body["codes"][0].get("gtin_known")
        where = "is in" if known else "is not in"
        return [*lines, f"GTIN {data.gtin} {where} the material master"]

    async def _read_code(self) -> str:
        if self.camera is None:
            raise EntryRefused("no camera: say 'scan' with the code's text")
        found = await self.camera.codes()
        if not found:
            raise EntryRefused("no code in view: hold the label steady and say 'scan' again")
        return found[0]

    async def _photo(self, state: StepState, name: str) -> list[str]:
        target = photo_target(state.step, self._drafts_of(state), name)
        if self.camera is None:
            raise EntryRefused("no camera to take a photo with")
        image = await self.camera.photo()
        media_id = hashlib.sha256(image).hexdigest()
        await self.session.save(Request("POST", "/media", image, "image/png"), Submission("upload"))
        self._drafts_of(state)[target] = media_id
        return [f"photo taken for {target} ({media_id[:12]}…)"]

    # -- completing -----------------------------------------------------------------------

    async def _complete(
        self,
        state: StepState,
        meaning: str | None,
        password: str | None,
        signer: str | None = None,
    ) -> list[str]:
        step, session = state.step, self.session
        signature = self._signature(state, meaning, password, signer)
        roles = set(session.user.get("roles") or [])
        if meaning != "verified" and not roles & set(step.roles):
            raise EntryRefused(f"step {step.id!r} is for: {', '.join(step.roles)}")
        said = {**session.suggestions.get(step.id, {}), **self._drafts_of(state)}
        comment = self._comments.get(step.id)
        batch = session.require_batch()
        outcome = check_step(step, said, batch.context(), comment)
        body: dict[str, Any] = {"values": said}
        if comment:
            body["comment"] = comment
        if signature is not None:
            body["signature"] = {k: v for k, v in signature.items() if k != "password"}
        needs_server = (
            server_needed(step) is not None
            or signature is not None
            or self._may_hold(step, outcome.alerts)
        )
        submission = Submission(
            "complete",
            step.id,
            outcome.values,
            outcome.calculated,
            comment,
            session.me,
            needs_server,
        )
        path = f"/batches/{batch.batch_id}/steps/{step.id}/complete"
        password = signature["password"] if signature is not None else None
        entry = await session.save(Request.json("POST", path, body), submission, password)
        lines = [f"alert: {alert.message}" for alert in outcome.alerts]
        if not needs_server:
            self._forget(step.id)
            return [*lines, f"{step.title}: done", *self._show_current()]
        wait = (
            session.options.wait_seconds if session.options.patient else INTERACTIVE_ANSWER_SECONDS
        )
        answered = await session.answer_of(entry, wait)
        if answered is None:
            why = server_needed(step) or "a signature is checked by the server"
            return [*lines, f"{step.title}: saved, waiting for the server ({why})"]
        if answered.state == "conflict":
            raise EntryRefused(conflict_line(answered))  # what was said stays, to correct it
        self._forget(step.id)
        await session.settled(wait)
        return [*lines, f"{step.title}: recorded", *self._show_current()]

    def _signature(
        self, state: StepState, meaning: str | None, password: str | None, signer: str | None
    ) -> dict[str, str] | None:
        """The e-signature a completion carries, checking it is the one the step asks for."""
        step, session = state.step, self.session
        if step.kind == "verification" and meaning != "verified":
            raise EntryRefused("a second person verifies this step: say 'verify USER'")
        if meaning == "verified" and step.kind != "verification":
            raise EntryRefused("this step is not a verification")
        if step.signature and meaning is None:
            raise EntryRefused("this step needs your e-signature: say 'sign'")
        if meaning is None:
            return None
        if password is None and meaning == "performed" and session.options.patient:
            password = session.options.password
        if password is None:
            raise EntryRefused("the password is needed to sign")
        # Always named: the first signature of a signing session needs the username (§11.200).
        return {"username": signer or session.me, "password": password, "meaning": meaning}

    def _may_hold(self, step: Step, alerts: Sequence[Alert]) -> bool:
        """Whether the alerts of a completion raise a blocking exception: only the server
        says what the batch does next (it goes on hold)."""
        procedure = self.session.procedure
        return procedure is not None and any(
            is_blocking(procedure, "alert_limit", step.id, alert.field) for alert in alerts
        )

    def _forget(self, step_id: str) -> None:
        self._drafts.pop(step_id, None)
        self._comments.pop(step_id, None)
        self.session.suggestions.pop(step_id, None)

    # -- other ----------------------------------------------------------------------------

    async def _list_batches(self) -> list[str]:
        batches = await self.session.list_batches()
        if not batches:
            return ["no batch to work on"]
        return [
            f"{b['batch_number']}: {b['procedure']['title']} ({b['status'].replace('_', ' ')}"
            + (f", at {b['current_step']})" if b.get("current_step") else ")")
            for b in batches
        ]

    async def _status(self) -> list[str]:
        counts = await self.session.counts()
        events = "following" if self.session.following else "not connected"
        lines = [
            f"server: {'online' if self.session.online else 'unreachable'}; "
            f"{counts['pending']} waiting to be sent, {counts['done']} sent, "
            f"{counts['conflict']} not recorded; events: {events}"
        ]
        lines += [conflict_line(entry) for entry in await self.session.conflicts()]
        return lines

    async def _sync(self) -> list[str]:
        if not await self.session.sync(self.session.options.wait_seconds):
            counts = await self.session.counts()
            raise EntryRefused(f"the server has not taken everything: {counts['pending']} waiting")
        return ["everything is with the server", *self._show_current_if_any()]

    def _show_current_if_any(self) -> list[str]:
        return self._show_current() if self.session.batch is not None else []

    async def _acknowledge(self, annotation_id: str) -> list[str]:
        session = self.session
        batch = session.require_batch()
        shown = session.board.shown()
        target = (
            next((a for a in shown if a.id == annotation_id), None)
            if annotation_id
            else session.board.newest_unacknowledged()
        )
        if target is None:
            raise EntryRefused("no annotation to acknowledge")
        path = f"/batches/{batch.batch_id}/annotations/{target.id}/acknowledge"
        await session.save(Request("POST", path, b""), Submission("acknowledge"))
        session.board.apply({"action": "acknowledged", "annotation": {"id": target.id}})
        return [f"annotation acknowledged: {target.shape} by {target.author}"]


def _spoken(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
