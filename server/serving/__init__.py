"""Serving on a port: one process, or several (`serve --workers N`) sharing it.

What a server process holds in memory, and why several processes on one PostgreSQL database
still behave as one server (the database is the one source of truth):

- sessions and tokens, failed sign-ins and lock-out, failed e-signatures per session, signing
  sessions (§11.200): rows (`auth_tokens`, `users`), read on every request; nothing cached;
- idempotency: `idempotency_records`, claimed under a unique index, so a retry reaching another
  process waits for the first to commit and replays its stored answer;
- events: sent with NOTIFY inside the writing transaction and received by every process's
  LISTEN (server.events.postgres); a client's place in a batch's events is the journal's `seq`;
- audit chains and seals: rows; sealing takes an advisory lock, every process seals what moved;
  the seal key is created once by the parent, the anchor file is written under a file lock;
- procedure models: parsed once per process, keyed by the content hash of immutable versions;
- per process by nature, holding no record: the sign-in gate and the image workers (this
  process's CPU and memory), the database pool, WebSocket feeds (each client's own socket);
- live video: a stream lives in the process its publisher reached (server.streams).
"""
