// The JSON API, as every other client uses it; the browser authenticates with its HttpOnly
// session cookie and sends the CSRF token with every state-changing request. Bodies that are
// not JSON (an SDP offer, image bytes, a multipart form) go the same way, by send().

const BASE = "/api/v1";
const SAFE = new Set(["GET", "HEAD"]);
const JSON_TYPE = "application/json";

/** A refused or failed request, carrying the problem document (RFC 9457). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `Request failed (${status})`);
    this.status = status;
    this.type = problem?.type ?? "";
    this.detail = this.message;
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
    this.current = problem?.current ?? null;
  }

  /** The problem type's last part, e.g. "batch-number-taken". */
  get kind() {
    return this.type.split(":").pop();
  }
}

/**
 * The error handler for reads that follow live events: an unreachable server is already shown
 * by the live status, and the resync after reconnecting reads again, so only other failures
 * are reported.
 */
export function unlessUnreachable(report) {
  return (error) => {
    if (!(error instanceof ApiError && error.status === 0)) report(error);
  };
}

class Api {
  constructor() {
    this.csrfToken = null;
    // Called when a request of a signed-in page answers 401 (session ended elsewhere).
    this.onSignedOut = null;
  }

  /**
   * Send a request with the session cookie (and the CSRF token on writes); answers the
   * Response, or throws ApiError with the problem document of a refusal. `path` is under
   * /api/v1, or absolute (a Location the server gave); `body` is a string, Blob or FormData
   * (a FormData sets its own Content-Type); `headers` are added.
   */
  async send(method, path, { body, contentType, accept = JSON_TYPE, headers: extra = {} } = {}) {
    const headers = { ...extra, Accept: accept };
    if (contentType) headers["Content-Type"] = contentType;
    if (!SAFE.has(method) && this.csrfToken) headers["X-CSRF-Token"] = this.csrfToken;
    let response;
    try {
      response = await fetch(path.startsWith(`${BASE}/`) ? path : BASE + path, {
        method,
        headers,
        body,
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, {
        detail: "The server cannot be reached. Check the connection and try again.",
      });
    }
    if (response.ok) return response;
    const error = new ApiError(response.status, await answerOf(response));
    if (response.status === 401 && !path.startsWith("/auth/")) this.onSignedOut?.(error);
    throw error;
  }

  /** Send `options.body` as it is (see send) and answer the JSON the server sent back. */
  async sendForJson(method, path, options) {
    const response = await this.send(method, path, options);
    return answerOf(response);
  }

  /** Send `body` (any JSON value; none when undefined) and answer the JSON sent back. */
  request(method, path, body, { headers } = {}) {
    const json = body === undefined ? {} : { body: JSON.stringify(body), contentType: JSON_TYPE };
    return this.sendForJson(method, path, { ...json, headers });
  }

  get(path) {
    return this.request("GET", path);
  }

  /**
   * One page of a list: its items, the path of the next page (from `Link: <...>; rel="next"`,
   * null on the last page) and, on a first page, how many items match: `total`, or
   * `moreThan` when the server stopped counting.
   */
  async getPage(path) {
    const response = await this.send("GET", path);
    const header = (name) => {
      const value = response.headers.get(name);
      return value === null ? null : Number(value);
    };
    const link = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("Link") ?? "");
    return {
      items: (await answerOf(response)) ?? [],
      next: link ? link[1] : null,
      total: header("X-Total-Count"),
      moreThan: header("X-Total-More-Than"),
    };
  }

  /** Every item of a list, walking its pages (for the few views that need them all). */
  async getAll(path) {
    const items = [];
    let next = path + (path.includes("?") ? "&" : "?") + "limit=500";
    while (next) {
      const page = await this.getPage(next);
      items.push(...page.items);
      next = page.next;
    }
    return items;
  }

  post(path, body = {}, options = {}) {
    return this.request("POST", path, body, options);
  }

  delete(path) {
    return this.request("DELETE", path);
  }

  /** The signed-in user with what they may do (`can`), or null when this browser has no session. */
  async me() {
    try {
      const me = await this.get("/auth/me");
      this.csrfToken = me.csrf_token ?? null;
      return me;
    } catch (error) {
      if (error.status === 401) return null;
      throw error;
    }
  }

  /** Open a session; answers the signed-in user as me() does. */
  async signIn(username, password) {
    const answer = await this.post("/auth/session", { username, password });
    this.csrfToken = answer.csrf_token;
    return this.me();
  }

  async signOut() {
    try {
      await this.delete("/auth/session");
    } finally {
      this.csrfToken = null;
    }
  }
}

/** The JSON of an answer (null when empty), or a problem saying it was not JSON. */
async function answerOf(response) {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return { detail: `Unexpected answer from the server (${response.status}).` };
  }
}

export const api = new Api();
