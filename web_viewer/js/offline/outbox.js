// The outbox: every submission of the operator page (step completions, photos, acknowledged
// annotations) is saved in IndexedDB with its Idempotency-Key before it is sent, then sent
// strictly in the order saved (per operator), one at a time, as the headset client's outbox
// does (headset_client/outbox.py, sender.py): no answer (offline, 5xx) → the same entry again
// later with the same key, so a request whose answer was lost is replayed by the server,
// never recorded twice; 2xx → done; 4xx → conflict, kept with the server's problem and shown
// to the operator until dismissed, and the next entry follows. Passwords are never saved: a
// completion that needs a signature is not queued (the page sends it directly, when nothing
// is waiting before it).

import { api, ApiError } from "../api.js";
import { SubmissionStore } from "./store.js";

const RETRY_MS = [1000, 2000, 4000, 8000];
// Browsers that have it let only one tab send at a time; the keys keep it exactly once anyway.
const LOCK = "stepwise-outbox";
// A photo's value in a queued completion, until the photo itself has been stored.
const MEDIA_REF = "outbox-media:";

class Outbox {
  constructor() {
    this.store = new SubmissionStore();
    this.listeners = new Set();
    this.sending = null;
    this.retry = null;
    this.failures = 0;
    this.online = true;
    // Whose entries are sent: only the signed-in person's, with their session.
    this.username = null;
    // Entries whose sender waits for their answer (the form that saved them is still shown).
    this.settling = new Set();
    this.channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(LOCK) : null;
    if (this.channel) this.channel.onmessage = () => this.changed({ local: false });
    window.addEventListener("online", () => this.send(this.username));
  }

  /** Call `listener()` after every change (here or in another tab); answers the unsubscribe. */
  watch(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed({ local = true } = {}) {
    if (local) this.channel?.postMessage("changed");
    for (const listener of this.listeners) listener();
  }

  /**
   * Save a submission: {username, batchId, stepId, kind: "complete"|"upload"|"acknowledge",
   * label, path, body (a JSON value, or a Blob for an upload), values, comment, needsServer}. Answers the
   * saved entry, whose `key` is its Idempotency-Key; settle() it next.
   */
  async add(submission) {
    const entry = {
      ...submission,
      method: "POST",
      key: randomKey(),
      state: "pending",
      status: null,
      answer: null,
      attempts: 0,
      savedAt: new Date().toISOString(),
    };
    entry.seq = await this.store.insert(entry);
    // The caller settles it next (see settle): until then it is the caller's to show.
    this.settling.add(entry.key);
    this.changed();
    return entry;
  }

  /** The entries of `username` not yet done (waiting or refused), oldest first, but for
   * those whose answer the page that saved them is still waiting for. */
  async open(username, batchId = null) {
    const entries = await this.store.all();
    return entries.filter((entry) => entry.username === username && entry.state !== "done"
      && !this.settling.has(entry.key) && (batchId === null || entry.batchId === batchId));
  }

  /** Forget a refused entry once the operator has seen it. */
  async dismiss(seq) {
    const entry = await this.store.get(seq);
    if (entry?.state === "conflict") await this.store.remove(seq);
    this.changed();
  }

  /** The value standing for the photo saved as `entry` in a completion queued after it. */
  mediaRef(entry) {
    return MEDIA_REF + entry.key;
  }

  /**
   * Send what is waiting, then answer how `entry` ended: "done" or "conflict" (the entry
   * with the server's answer), or "waiting" when the server cannot be reached now.
   */
  async settle(entry) {
    let now;
    try {
      await this.send(entry.username);
      now = await this.store.get(entry.seq);
    } finally {
      this.settling.delete(entry.key);
    }
    return { outcome: now ? (now.state === "pending" ? "waiting" : now.state) : "conflict", entry: now ?? entry };
  }

  /** Send the waiting entries of `username` in order until none is left or the server
   * cannot be reached. */
  send(username) {
    if (!username) return Promise.resolve();
    this.username = username;
    // After any drain under way (whatever became of it): an entry saved as it ended is sent
    // by this one.
    const previous = (this.sending ?? Promise.resolve()).catch(() => undefined);
    this.sending = previous.then(() => this.withLock(() => this.drain(username)));
    return this.sending;
  }

  async withLock(work) {
    if (navigator.locks) return navigator.locks.request(LOCK, work);
    return work();
  }

  async drain(username) {
    clearTimeout(this.retry);
    for (;;) {
      const next = (await this.store.all()).find((entry) => entry.state === "pending" && entry.username === username);
      if (!next) break;
      if (!(await this.sendOne(next))) {
        this.online = false;
        this.changed();
        const pause = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
        this.failures += 1;
        this.retry = setTimeout(() => this.send(username), pause);
        return;
      }
    }
    this.failures = 0;
    this.online = true;
  }

  /** Send one entry; answers false when it got no answer (to be sent again later). */
  async sendOne(entry) {
    entry.attempts += 1;
    await this.store.update(entry);
    let body;
    try {
      body = await this.bodyOf(entry);
    } catch (problem) {
      await this.finish(entry, "conflict", 0, { detail: problem.message });
      return true;
    }
    try {
      const answer = await api.sendForJson(entry.method, entry.path, {
        ...body,
        headers: { "Idempotency-Key": entry.key },
      });
      this.online = true;
      await this.finish(entry, "done", 200, answer);
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // No answer, a server error or an ended session: the same request again later.
      if (error.status === 0 || error.status >= 500 || error.status === 401) return false;
      await this.finish(entry, "conflict", error.status, {
        detail: error.detail, type: error.type, errors: error.errors, status: error.status,
      });
      return true;
    }
  }

  /** The body as sent: a photo's bytes, or the JSON with stored photos' ids put in. */
  async bodyOf(entry) {
    if (entry.kind === "upload") return { body: entry.body, contentType: entry.body.type };
    const refs = new Map();
    for (const other of await this.store.all()) {
      if (other.kind === "upload") refs.set(MEDIA_REF + other.key, other);
    }
    const values = {};
    for (const [name, value] of Object.entries(entry.body.values ?? {})) {
      const upload = typeof value === "string" ? refs.get(value) : undefined;
      if (value?.startsWith?.(MEDIA_REF) && upload?.state !== "done") {
        throw new Error("The photo for this step could not be stored: take it again.");
      }
      values[name] = upload ? upload.answer.id : value;
    }
    return { body: JSON.stringify({ ...entry.body, values }), contentType: "application/json" };
  }

  async finish(entry, state, status, answer) {
    Object.assign(entry, { state, status, answer, answeredAt: new Date().toISOString() });
    // A stored photo's bytes are on the server now: only its id is still needed here.
    if (entry.kind === "upload" && state === "done") entry.body = null;
    await this.store.update(entry);
    this.changed();
  }
}

/** A random Idempotency-Key (crypto.randomUUID needs https; getRandomValues does not). */
export function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export const outbox = new Outbox();
