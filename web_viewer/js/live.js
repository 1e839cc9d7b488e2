// The live event stream: one WebSocket per signed-in tab, reconnecting with backoff.
// Pages watch topics; after every (re)subscription they re-read their data. A batch topic
// also resumes: it is subscribed again with `after` (the seq of its last event received),
// so the server first sends what was missed, in order; likewise when the server says "lagging".

const DELAYS_MS = [500, 1000, 2000, 4000, 8000, 15000];
const SESSION_ENDED = 4001; // server/events/handlers.py CLOSE_SESSION_ENDED

export class LiveConnection {
  /** onStatus(state): "connecting" | "live" | "reconnecting" | "stopped". */
  constructor({ onStatus, onAuthLost }) {
    this.onStatus = onStatus;
    this.onAuthLost = onAuthLost;
    this.socket = null;
    this.watchers = new Set();
    this.lastSeq = new Map(); // "batch:<id>" -> seq of the last event received
    this.failures = 0;
    this.timer = null;
    this.running = false;
    this.state = "stopped";
    this.handleOnline = () => this.reconnectNow();
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    window.addEventListener("online", this.handleOnline);
    this.connect();
  }

  stop() {
    this.running = false;
    window.removeEventListener("online", this.handleOnline);
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000, "signed out");
    this.setState("stopped");
  }

  /**
   * Receive the events of `topics` ("batch:<id>", "batches"). `onEvent(event)` gets each
   * event, `onResync()` is called whenever a subscription (re)starts. Returns unwatch().
   */
  watch(topics, { onEvent, onResync }) {
    const watcher = { topics: new Set(topics), onEvent, onResync };
    this.watchers.add(watcher);
    for (const topic of watcher.topics) this.subscribe(topic);
    return () => {
      this.watchers.delete(watcher);
      for (const topic of watcher.topics) {
        if (!this.wanted(topic)) {
          this.lastSeq.delete(topic);
          this.send({ unsubscribe: topic });
        }
      }
    };
  }

  subscribe(topic) {
    const after = this.lastSeq.get(topic);
    this.send(after === undefined ? { subscribe: topic } : { subscribe: topic, after });
  }

  /** Whether an event is new: a batch event at or below the last seq seen was already had. */
  fresh(event) {
    const topic = `batch:${event.batch_id}`;
    if (typeof event.seq !== "number" || !this.wanted(topic)) return true;
    if (event.seq <= (this.lastSeq.get(topic) ?? 0)) return false;
    this.lastSeq.set(topic, event.seq);
    return true;
  }

  wanted(topic) {
    return [...this.watchers].some((watcher) => watcher.topics.has(topic));
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.onStatus?.(state);
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws`);
    this.socket = socket;
    let greeted = false;
    this.setState(this.failures === 0 && this.state !== "reconnecting" ? "connecting" : "reconnecting");
    socket.addEventListener("message", (message) => {
      if (socket !== this.socket) return;
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (event.type === "hello") {
        greeted = true;
        this.failures = 0;
        const topics = new Set([...this.watchers].flatMap((watcher) => [...watcher.topics]));
        for (const topic of topics) this.subscribe(topic);
        if (topics.size === 0) this.setState("live");
      } else if (event.type === "subscribed") {
        // A first subscription starts after the batch's newest event: resume from there.
        if (typeof event.head === "number" && !this.lastSeq.has(event.topic)) {
          this.lastSeq.set(event.topic, event.head);
        }
        this.setState("live");
        for (const watcher of this.watchers) {
          if (watcher.topics.has(event.topic)) watcher.onResync?.();
        }
      } else if (event.type === "lagging") {
        if (this.wanted(event.topic)) this.subscribe(event.topic);
      } else if (event.batch_id !== undefined && this.fresh(event)) {
        for (const watcher of this.watchers) {
          if (watcher.topics.has("batches") || watcher.topics.has(`batch:${event.batch_id}`)) {
            watcher.onEvent?.(event);
          }
        }
      }
    });
    socket.addEventListener("close", (event) => {
      if (socket !== this.socket || !this.running) return;
      this.socket = null;
      this.failures += 1;
      this.setState("reconnecting");
      // The server closes with 4001 when the session ended (signed out elsewhere, expired,
      // revoked); a handshake refused twice in a row may mean the same.
      if (event.code === SESSION_ENDED || (!greeted && this.failures >= 2)) this.onAuthLost?.();
      const base = DELAYS_MS[Math.min(this.failures - 1, DELAYS_MS.length - 1)];
      this.timer = setTimeout(() => this.connect(), base + Math.random() * base * 0.2);
    });
  }

  reconnectNow() {
    if (!this.running || this.socket) return;
    clearTimeout(this.timer);
    this.connect();
  }
}
