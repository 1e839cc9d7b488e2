// Requests whose bodies are not JSON (an SDP offer, image bytes, a multipart form), sent as
// api.js sends JSON: with the session cookie, and the CSRF token on every write.

import { api, ApiError } from "../api.js";

const BASE = "/api/v1";

/**
 * Send `body` (string, Blob or FormData; a FormData sets its own Content-Type) and return the
 * Response; a refusal throws ApiError with the problem document, as api.request does.
 * `path` is under /api/v1, or absolute (a Location the server gave); `headers` are added.
 */
export async function sendBody(method, path, { body, contentType, accept = "application/json", headers: extra = {} } = {}) {
  const headers = { ...extra, Accept: accept };
  if (contentType) headers["Content-Type"] = contentType;
  if (api.csrfToken) headers["X-CSRF-Token"] = api.csrfToken;
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
    throw new ApiError(0, { detail: "The server cannot be reached. Check the connection and try again." });
  }
  if (response.ok) return response;
  let problem = null;
  try {
    problem = await response.json();
  } catch {
    problem = { detail: `Unexpected answer from the server (${response.status}).` };
  }
  const error = new ApiError(response.status, problem);
  if (response.status === 401) api.onSignedOut?.(error);
  throw error;
}

/** sendBody, answering the JSON the server sent back. */
export async function sendBodyForJson(method, path, options) {
  return (await sendBody(method, path, options)).json();
}
