"""A signed-in headset: the batch it works on, the outbox and its sender, the event stream.

The view of the batch is always the server's last record with the outbox's unanswered
submissions laid over it (projection.py), so the operator works on, offline, exactly where
the server will be once everything is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp

from headset_client.annotations import AnnotationBoard
from headset_client.api import StepwiseApi
from headset_client.entry import scan_names
from headset_client.events import EventFollower
from headset_client.exceptions import (
    EntryRefused,
    ServerRefused,
    ServerUnreachable,
    problem_text,
)
from headset_client.outbox import Entry, Outbox, Request
from headset_client.projection import BatchState, Submission, from_record, project
from headset_client.sender import Backoff, Sender
from procedures.model import Procedure
from procedures.states import BatchStatus

T = TypeVar("T")


@dataclass(frozen=True)
class SessionOptions:
    """How the headset connects and how patient it is."""

    server: str
    username: str
    password: str
    outbox_path: Path
    patient: bool = False
    wait_seconds: float = 60.0
    retry_seconds: float = 5.0
    request_seconds: float = 10.0


@dataclass
class SessionStats:
    """Figures for load runs: each step's answer time and when it came (Unix time), each
    event's delivery delay and when it arrived, and how many events of a followed batch
    never arrived (gaps in its `seq` after the first received, and those a sync waited for
    in vain)."""

    step_seconds: list[float] = field(default_factory=list)
    step_answered_at: list[float] = field(default_factory=list)
    event_seconds: list[float] = field(default_factory=list)
    event_arrived_at: list[float] = field(default_factory=list)
    events_missing: int = 0


class HeadsetSession:
    """Everything that talks to the server or the outbox; the commands live in actions.py."""

    def __init__(self, options: SessionOptions, http: aiohttp.ClientSession) -> None:
        self.options = options
        self.api = StepwiseApi(http, options.server, options.request_seconds)
        self.user: dict[str, Any] = {}
        self.notices: asyncio.Queue[str] = asyncio.Queue()
        self.stats = SessionStats()
        self.board = AnnotationBoard()
        self.batch: BatchState | None = None
        self.procedure: Procedure | None = None
        self.suggestions: dict[str, dict[str, str]] = {}
        self.on_annotation: Callable[[], Awaitable[None]] | None = None
        self._outbox: Outbox | None = None
        self._sender: Sender | None = None
        self._pending: list[Entry] = []
        self._recent: list[tuple[int, Entry]] = []
        self._answers = 0
        self._record: dict[str, Any] | None = None
        self._waiting: dict[int, asyncio.Future[Entry]] = {}
        self._awaited: set[int] = set()
        self._saved: set[int] = set()
        self._view_changed = asyncio.Event()
        self._stale = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._follower: EventFollower | None = None
        self._follower_task: asyncio.Task[None] | None = None
        self._last_seqs: dict[str, int] = {}  # by batch: for stats.events_missing

    @property
    def me(self) -> str:
        return str(self.user.get("username", self.options.username))

    @property
    def online(self) -> bool:
        """Whether the server answered the last attempt to send."""
        return self._sender.online if self._sender else False

    @property
    def following(self) -> bool:
        """Whether the batch's event stream is connected."""
        return self._follower.connected if self._follower else False

    @property
    def last_event_seq(self) -> int | None:
        """The batch's seq of the last event received (a reconnection resumes after it)."""
        return self._follower.last_seq if self._follower else None

    async def open(self) -> None:
        """Sign in (the server must answer once), open the outbox, start sending."""
        options = self.options
        self.user = await self._retrying(lambda: self.api.login(options.username, options.password))
        self._outbox = await Outbox.open(
            self.options.outbox_path, self.api.root, self.options.username
        )
        self._pending = await self._outbox.entries("pending")
        if self._pending:
            await self.notices.put(f"{len(self._pending)} saved submission(s) to send first")
        earlier = len(await self._outbox.entries("conflict"))
        if earlier:
            await self.notices.put(f"{earlier} earlier submission(s) not recorded: say 'status'")
        self._sender = Sender(
            self._outbox,
            self.api,
            self._answered,
            self._sign_in_again,
            Backoff(most=self.options.retry_seconds),
        )
        self._tasks = [
            asyncio.create_task(self._sender.run()),
            asyncio.create_task(self._refresher()),
        ]

    async def close(self) -> None:
        """Stop sending and following; what is unsent stays in the outbox. Twice is safe."""
        tasks = [*self._tasks, *([self._follower_task] if self._follower_task else [])]
        self._tasks, self._follower_task = [], None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._outbox is not None:
            await self._outbox.close()
            self._outbox = None

    # -- batches ---------------------------------------------------------------------------

    async def list_batches(self) -> list[dict[str, Any]]:
        """Batches an operator can work on: in progress, held, or created and not yet started
        (the server filters; every page is read)."""
        wanted = ",".join(status for status in BatchStatus if status.open)
        return await self._retrying(lambda: self.api.get_all(f"/batches?status={wanted}"))

    async def choose_batch(self, number: str) -> BatchState:
        """Work on the batch with this number (or id); starts it if it was only created."""
        record = await self._record_of(number)
        reference = record["procedure"]
        path = f"/procedures/{reference['key']}/versions/{reference['version']}"
        version = await self._retrying(lambda: self.api.get(path))
        self.procedure = Procedure.model_validate(version["definition"])
        self._record = record
        self._reproject()
        self._follow(record["id"])
        batch = self.require_batch()
        if batch.status.startable and not self._pending_for(batch.batch_id):
            await self.save(
                Request("POST", f"/batches/{batch.batch_id}/start", b""), Submission("start")
            )
        return self.require_batch()

    async def _record_of(self, number: str) -> dict[str, Any]:
        """The record of the batch with this id or, failing that, this batch number."""
        try:
            return await self._retrying(lambda: self.api.get(f"/batches/{quote(number, safe='')}"))
        except ServerRefused as exc:
            if exc.status != 404:
                raise
        query = f"/batches?batch_number={quote(number, safe='')}"
        batches = await self._retrying(lambda: self.api.get_all(query))
        chosen = next((b for b in batches if b["batch_number"] == number), None)
        if chosen is None:
            raise EntryRefused(f"no batch {number!r}")
        return await self._retrying(lambda: self.api.get(f"/batches/{chosen['id']}"))

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        """`call()`; a patient session retries it while the server is unreachable, for up
        to `wait_seconds`, an interactive one gives up at once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.wait_seconds
        backoff = Backoff(most=self.options.retry_seconds)
        while True:
            try:
                return await call()
            except ServerUnreachable:
                if not self.options.patient or loop.time() >= deadline:
                    raise
            await asyncio.sleep(backoff.pause())

    def require_batch(self) -> BatchState:
        if self.batch is None:
            raise EntryRefused("no batch chosen: say 'batch' to list them, 'batch NUMBER' to pick")
        return self.batch

    # -- the outbox -----------------------------------------------------------------------

    async def save(
        self, request: Request, submission: Submission, password: str | None = None
    ) -> Entry:
        """Save a submission for the current batch in the outbox, then have it sent."""
        assert self._outbox is not None and self._sender is not None
        batch_id = self.batch.batch_id if self.batch else None
        entry = await self._outbox.add(batch_id, request, submission, password)
        self._pending.append(entry)
        self._saved.add(entry.seq)
        self._waiting[entry.seq] = asyncio.get_running_loop().create_future()
        self._reproject()
        self._sender.wake()
        return entry

    async def answer_of(self, entry: Entry, seconds: float) -> Entry | None:
        """The entry once answered, or None if no answer came within `seconds`."""
        future = self._waiting.get(entry.seq)
        if future is None:
            assert self._outbox is not None
            return await self._outbox.get(entry.seq)
        self._awaited.add(entry.seq)
        try:
            return await asyncio.wait_for(asyncio.shield(future), seconds)
        except TimeoutError:
            return None
        finally:
            self._awaited.discard(entry.seq)

    async def sync(self, seconds: float) -> bool:
        """Wait until the outbox is empty and the view reflects the server; False on timeout.
        Then wait, in what is left of `seconds`, until the batch's events up to the record
        read have arrived (those that do not count as missing)."""
        assert self._sender is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        try:
            await asyncio.wait_for(self._sender.drained(), seconds)
        except TimeoutError:
            return False
        if self.batch is not None:
            with contextlib.suppress(ServerUnreachable):
                await self.refresh()
                seq = (self._record or {}).get("event_seq")
                await self._events_reach(seq, deadline - loop.time())
        return True

    async def _events_reach(self, seq: Any, seconds: float) -> None:
        """Wait for the followed batch's events up to `seq`; count those that do not come."""
        follower = self._follower
        if follower is None or not isinstance(seq, int):
            return
        try:
            await asyncio.wait_for(follower.reaches(seq), max(seconds, 0.0))
        except TimeoutError:
            if follower.last_seq is not None:  # else it never subscribed: nothing expected
                self.stats.events_missing += seq - follower.last_seq

    async def counts(self) -> dict[str, int]:
        assert self._outbox is not None
        return await self._outbox.counts()

    async def submissions(self) -> list[Entry]:
        """Every submission in the outbox, oldest first, whatever its state."""
        assert self._outbox is not None
        return await self._outbox.entries()

    async def conflicts(self, *, this_session: bool = False) -> list[Entry]:
        """Submissions the server refused (all kept), or only those saved in this session."""
        assert self._outbox is not None
        found = await self._outbox.entries("conflict")
        return [e for e in found if e.seq in self._saved] if this_session else found

    async def _answered(self, entry: Entry, seconds: float) -> None:
        self._pending = [e for e in self._pending if e.seq != entry.seq]
        if entry.state == "done":
            self._answers += 1
            self._recent.append((self._answers, entry))
            if entry.submission.kind == "complete":
                self.stats.step_seconds.append(seconds)
                self.stats.step_answered_at.append(time.time())
        elif entry.seq not in self._awaited:  # else whoever waits reports it
            await self.notices.put(conflict_line(entry))
        future = self._waiting.pop(entry.seq, None)
        if future is not None and not future.done():
            future.set_result(entry)
        self._reproject()
        if entry.state == "conflict" or entry.submission.needs_server:
            # Only the server knows what it made of these: read the record again.
            self._stale.set()

    async def _sign_in_again(self) -> None:
        self.user = await self.api.login(self.options.username, self.options.password)

    def _pending_for(self, batch_id: str) -> list[Entry]:
        return [entry for entry in self._pending if entry.batch_id == batch_id]

    # -- the record and the view ----------------------------------------------------------

    async def refresh(self) -> None:
        """Read the batch record again (ServerUnreachable when the server does not answer)."""
        batch = self.require_batch()
        answers = self._answers
        record = await self.api.get(f"/batches/{batch.batch_id}")
        if self.batch is None or self.batch.batch_id != record["id"]:
            return
        self._record = record
        self._recent = [(n, e) for n, e in self._recent if n > answers]
        self._reproject()

    async def settled(self, seconds: float) -> bool:
        """Wait until no step waits for the server's answer; False on timeout."""
        return await self.view_reaches(lambda b: b is None or b.awaiting() is None, seconds)

    async def view_reaches(
        self, condition: Callable[[BatchState | None], bool], seconds: float
    ) -> bool:
        """Wait until the view of the batch meets `condition`; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not condition(self.batch):
            self._view_changed.clear()
            try:
                await asyncio.wait_for(self._view_changed.wait(), deadline - loop.time())
            except TimeoutError:
                return False
        return True

    def _reproject(self) -> None:
        if self._record is None or self.procedure is None:
            return
        state = from_record(self._record, self.procedure)
        laid = [e.submission for _, e in self._recent if e.batch_id == state.batch_id]
        laid += [e.submission for e in self._pending_for(state.batch_id)]
        self.batch = project(state, laid)
        self._view_changed.set()

    async def _refresher(self) -> None:
        """Re-read the record whenever it may be stale; retry while the server is away."""
        backoff = Backoff(most=self.options.retry_seconds)
        while True:
            await self._stale.wait()
            self._stale.clear()
            if self.batch is None:
                continue
            try:
                await self.refresh()
                backoff.reset()
            except ServerUnreachable:
                self._stale.set()
                await asyncio.sleep(backoff.pause())
            except ServerRefused as exc:
                await self.notices.put(f"the batch cannot be read again: {exc}")

    # -- events ---------------------------------------------------------------------------

    def _follow(self, batch_id: str) -> None:
        if self._follower_task is not None:
            self._follower_task.cancel()
        self._follower = EventFollower(
            self.api,
            f"batch:{batch_id}",
            self.handle_event,
            self._on_connected,
            Backoff(most=self.options.retry_seconds),
        )
        self._follower_task = asyncio.create_task(self._resume(self._follower, batch_id))

    async def _resume(self, follower: EventFollower, batch_id: str) -> None:
        """Follow the batch's events after the last one this device kept (a restarted app
        hears what it missed)."""
        if self._outbox is not None and follower.last_seq is None:
            follower.last_seq = await self._outbox.event_seq(batch_id)
        await follower.run()

    async def _on_connected(self) -> None:
        self._stale.set()

    async def handle_event(self, event: dict[str, Any]) -> None:
        """React to one event of the followed batch (the event stream calls this)."""
        self._record_delay(event)
        self._record_seq(event)
        seq, batch_id = event.get("seq"), event.get("batch_id")
        if self._outbox is not None and isinstance(seq, int) and isinstance(batch_id, str):
            await self._outbox.keep_event_seq(batch_id, seq)
        batch = self.batch
        if batch is None or event.get("batch_id") != batch.batch_id:
            return
        kind = event.get("type")
        if kind == "step" and event.get("by") not in (None, self.me):
            what = "corrected" if event.get("corrected") else event.get("state")
            await self.notices.put(f"step {event.get('step_id')} {what} by {event.get('by')}")
            self._stale.set()
        elif kind == "batch" and event.get("status") != batch.status:
            self._stale.set()
        elif kind == "hold":
            await self.notices.put(_hold_notice(event))
            self._stale.set()
        elif kind == "deviation":
            await self.notices.put(
                f"deviation {event.get('number')} ({event.get('severity')}) raised on step "
                f"{event.get('step_id')}: {event.get('title')}"
            )
        elif kind == "annotation":
            await self._on_annotation(event)
        elif kind == "scan":
            await self._on_scan(batch, event)
        elif kind == "scan_rejected":
            await self.notices.put(f"scan rejected: {event.get('reason')}")

    async def _on_annotation(self, event: dict[str, Any]) -> None:
        annotation = self.board.apply(event)
        if annotation is None:
            return
        said = f" '{annotation.text}'" if annotation.text else ""
        await self.notices.put(
            f"annotation {event.get('action')}: {annotation.shape}{said} by {annotation.author}"
            + (" (say 'ack' to acknowledge)" if event.get("action") == "created" else "")
        )
        if self.on_annotation is not None:
            await self.on_annotation()

    async def _on_scan(self, batch: BatchState, event: dict[str, Any]) -> None:
        active, name, text = batch.active(), event.get("input"), event.get("text")
        if active is None or active.step_id != event.get("step_id") or not text:
            return
        if name not in scan_names(active.step):
            return
        self.suggestions.setdefault(active.step_id, {})[str(name)] = str(text)
        await self.notices.put(f"scanned {text} for {name}: say 'confirm' to use it")

    def _record_seq(self, event: dict[str, Any]) -> None:
        seq, batch_id = event.get("seq"), str(event.get("batch_id"))
        if not isinstance(seq, int):
            return
        last = self._last_seqs.get(batch_id)
        if last is not None and seq > last + 1:
            self.stats.events_missing += seq - last - 1
        self._last_seqs[batch_id] = max(seq, last or 0)

    def _record_delay(self, event: dict[str, Any]) -> None:
        at = event.get("at")
        if not isinstance(at, str):
            return
        with contextlib.suppress(ValueError):
            sent = datetime.fromisoformat(at.replace("Z", "+00:00"))
            arrived = time.time()
            self.stats.event_seconds.append(arrived - sent.astimezone(UTC).timestamp())
            self.stats.event_arrived_at.append(arrived)


def _hold_notice(event: dict[str, Any]) -> str:
    """How a hold event is announced: held, approved once, or lifted (work resumes)."""
    state, reason, by = event.get("state"), event.get("reason"), event.get("by")
    if state == "raised":
        return f"ON HOLD: {reason} — waiting for approval"
    if state == "approved":
        return f"continuation approved by {by}: waiting for a second approval ({reason})"
    return f"hold lifted by {by}: work resumes ({reason})"


def conflict_line(entry: Entry) -> str:
    """How a refused submission is shown: what it was, and the server's reason."""
    submission = entry.submission
    what = f"step {submission.step_id}" if submission.step_id else submission.kind
    problem = entry.answer if isinstance(entry.answer, dict) else {}
    return f"NOT RECORDED (outbox #{entry.seq}, {what}): {entry.status} {problem_text(problem)}"
