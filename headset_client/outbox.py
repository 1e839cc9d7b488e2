"""The local outbox: every submission is saved here, with its Idempotency-Key, before it is sent.

An SQLite file on the device. Entries are sent strictly in the order they were saved; each
ends `done` (the server's 2xx answer kept) or `conflict` (its 4xx problem kept, shown to the
operator, never dropped). E-signature passwords are never written to disk: they stay in
memory with the entry until it is sent, and an entry whose password was lost with a restart
becomes a conflict asking for the signature again.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import aiosqlite

from headset_client.projection import Submission

EntryState = Literal["pending", "done", "conflict"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    server TEXT NOT NULL,
    username TEXT NOT NULL,
    batch_id TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    needs_password INTEGER NOT NULL,
    submission TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'conflict')),
    attempts INTEGER NOT NULL DEFAULT 0,
    status INTEGER,
    answer TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    answered_at TEXT
);
CREATE INDEX IF NOT EXISTS submissions_open ON submissions (server, username, state, seq);
CREATE TABLE IF NOT EXISTS event_positions (
    server TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (server, batch_id)
);
"""
_COLUMNS = (
    "seq, idempotency_key, batch_id, method, path, content_type, body, needs_password, "
    "submission, state, attempts, status, answer"
)
PASSWORD_LOST = {
    "type": "urn:stepwise:headset:signature-needed",
    "title": "Signature needed again",
    "status": 0,
    "detail": "passwords are never stored on the device, and the client restarted before "
    "this was sent: give the signature again",
}


@dataclass(frozen=True)
class Request:
    """An HTTP request as it will be sent, byte for byte, on every attempt."""

    method: str
    path: str
    body: bytes
    content_type: str = "application/json"

    @classmethod
    def json(cls, method: str, path: str, payload: Any) -> Request:
        return cls(method, path, canonical_json(payload))


@dataclass(frozen=True)
class Entry:
    """A saved submission and, once answered, the server's answer."""

    seq: int
    key: str
    batch_id: str | None
    request: Request
    needs_password: bool
    submission: Submission
    state: EntryState
    attempts: int
    status: int | None
    answer: Any


def canonical_json(payload: Any) -> bytes:
    """The same bytes for the same payload, so a retry is recognised as the same request."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def with_password(request: Request, password: str) -> Request:
    """The request with the password put into its `signature`."""
    payload = json.loads(request.body)
    payload["signature"]["password"] = password
    return Request(request.method, request.path, canonical_json(payload), request.content_type)


class Outbox:
    """The submissions of one user on one server, in one SQLite file."""

    def __init__(self, connection: aiosqlite.Connection, server: str, username: str) -> None:
        self._db = connection
        self._server = server
        self._username = username
        self._passwords: dict[int, str] = {}

    @classmethod
    async def open(cls, path: Path, server: str, username: str) -> Outbox:
        """Open (creating it if needed) the outbox file at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        await connection.executescript(_SCHEMA)
        return cls(connection, server, username)

    async def close(self) -> None:
        """Close the file; closing twice is safe."""
        if self._db is not None:
            await self._db.close()
            self._db = None  # type: ignore[assignment]

    async def event_seq(self, batch_id: str) -> int | None:
        """The batch's `seq` of the last event received from this server, if any: a
        restarted client resumes its event stream after it."""
        async with self._db.execute(
            "SELECT seq FROM event_positions WHERE server = ? AND batch_id = ?",
            (self._server, batch_id),
        ) as cursor:
            row = await cursor.fetchone()
        return None if row is None else int(row[0])

    async def keep_event_seq(self, batch_id: str, seq: int) -> None:
        """Remember the `seq` of the last event received of a batch (it never goes back)."""
        await self._db.execute(
            "INSERT INTO event_positions (server, batch_id, seq) VALUES (?, ?, ?) "
            "ON CONFLICT (server, batch_id) DO UPDATE SET seq = max(seq, excluded.seq)",
            (self._server, batch_id, seq),
        )

    async def add(
        self,
        batch_id: str | None,
        request: Request,
        submission: Submission,
        password: str | None = None,
    ) -> Entry:
        """Save a submission with a new Idempotency-Key; a password stays in memory only."""
        key = uuid.uuid4().hex
        cursor = await self._db.execute(
            "INSERT INTO submissions (idempotency_key, server, username, batch_id, method, "
            "path, content_type, body, needs_password, submission, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
            (
                key,
                self._server,
                self._username,
                batch_id,
                request.method,
                request.path,
                request.content_type,
                request.body,
                password is not None,
                json.dumps(submission.to_json()),
            ),
        )
        seq = cursor.lastrowid
        assert seq is not None
        if password is not None:
            self._passwords[seq] = password
        return await self.get(seq)

    async def get(self, seq: int) -> Entry:
        rows = await self._select("seq = ?", (seq,))
        return rows[0]

    async def next_pending(self) -> Entry | None:
        """The oldest entry not yet answered: the only one that may be sent now."""
        rows = await self._select("state = 'pending' ORDER BY seq LIMIT 1")
        return rows[0] if rows else None

    async def entries(self, state: EntryState | None = None) -> list[Entry]:
        """Entries in the order they were saved, all or of one state."""
        if state is None:
            return await self._select("1 = 1 ORDER BY seq")
        return await self._select("state = ? ORDER BY seq", (state,))

    async def counts(self) -> dict[str, int]:
        """How many entries are pending, done and in conflict."""
        async with self._db.execute(
            "SELECT state, count(*) FROM submissions WHERE server = ? AND username = ? "
            "GROUP BY state",
            (self._server, self._username),
        ) as cursor:
            found = {state: count for state, count in await cursor.fetchall()}
        return {state: found.get(state, 0) for state in ("pending", "done", "conflict")}

    def ready(self, entry: Entry) -> Request | None:
        """The request to send for `entry`; None if its password was lost."""
        if not entry.needs_password:
            return entry.request
        password = self._passwords.get(entry.seq)
        return None if password is None else with_password(entry.request, password)

    async def attempted(self, seq: int) -> None:
        await self._db.execute(
            "UPDATE submissions SET attempts = attempts + 1 WHERE seq = ?", (seq,)
        )

    async def answered(self, seq: int, state: EntryState, status: int, answer: Any) -> Entry:
        """Keep the server's answer: `done` for a 2xx, `conflict` (with the problem) else."""
        await self._db.execute(
            "UPDATE submissions SET state = ?, status = ?, answer = ?, "
            "answered_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
            "WHERE seq = ? AND state = 'pending'",
            (state, status, json.dumps(answer), seq),
        )
        self._passwords.pop(seq, None)
        return await self.get(seq)

    async def _select(self, where: str, parameters: tuple[Any, ...] = ()) -> list[Entry]:
        query = f"SELECT {_COLUMNS} FROM submissions WHERE server = ? AND username = ? AND {where}"
        async with self._db.execute(query, (self._server, self._username, *parameters)) as cursor:
            return [_entry(row) for row in await cursor.fetchall()]


def _entry(row: Any) -> Entry:
    (seq, key, batch_id, method, path, content_type, body, needs_password, submission) = row[:9]
    state, attempts, status, answer = row[9:]
    return Entry(
        seq=seq,
        key=key,
        batch_id=batch_id,
        request=Request(method, path, bytes(body), content_type),
        needs_password=bool(needs_password),
        submission=Submission.from_json(json.loads(submission)),
        state=state,
        attempts=attempts,
        status=status,
        answer=None if answer is None else json.loads(answer),
    )
