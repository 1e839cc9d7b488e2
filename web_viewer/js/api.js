// The JSON API, as every other client uses it; the browser authenticates with its HttpOnly
// session cookie and sends the CSRF token with every state-changing request.

const BASE = "/api/v1";
const SAFE = new Set(["GET", "HEAD"]);

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

  async request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (!SAFE.has(method) && this.csrfToken) headers["X-CSRF-Token"] = this.csrfToken;
    let response;
    try {
      response = await fetch(BASE + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, {
        detail: "The server cannot be reached. Check the connection and try again.",
      });
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { detail: `Unexpected answer from the server (${response.status}).` };
    }
    if (!response.ok) {
      const error = new ApiError(response.status, data);
      if (response.status === 401 && !path.startsWith("/auth/") && this.onSignedOut) {
        this.onSignedOut(error);
      }
      throw error;
    }
    return data;
  }

  get(path) {
    return this.request("GET", path);
  }

  post(path, body = {}) {
    return this.request("POST", path, body);
  }

  delete(path) {
    return this.request("DELETE", path);
  }

  /** The signed-in user, or null when this browser has no session. */
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

  async signIn(username, password) {
    const answer = await this.post("/auth/session", { username, password });
    this.csrfToken = answer.csrf_token;
    return answer.user;
  }

  async signOut() {
    try {
      await this.delete("/auth/session");
    } finally {
      this.csrfToken = null;
    }
  }
}

export const api = new Api();
