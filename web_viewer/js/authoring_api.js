// The authoring calls of the procedure library (drafts, review, approval), in one place.

import { api } from "./api.js";

const JSON_TYPE = "application/json";

export function versionPath(key, version) {
  return `/procedures/${encodeURIComponent(key)}/versions/${version}`;
}

/** The entity tag of a version: its revision, sent back with If-Match on every edit. */
function tagOf(response, version) {
  return response.headers.get("ETag") ?? (version?.revision != null ? `"${version.revision}"` : null);
}

/** A version with its definition, and the tag an edit of it must send. */
export async function readVersion(key, version) {
  const response = await api.send("GET", versionPath(key, version));
  const read = await response.json();
  return { version: read, etag: tagOf(response, read) };
}

/**
 * A new draft of `key`: a copy of version `fromVersion`, or a starter procedure (one
 * operation of one instruction step) titled `title`; an unknown key creates the procedure.
 */
export function createDraft(key, { fromVersion = null, title = null } = {}) {
  const body = {};
  if (fromVersion != null) body.from_version = fromVersion;
  if (title) body.title = title;
  return api.post(`/procedures/${encodeURIComponent(key)}/versions`, body);
}

/**
 * Replace a draft's definition, if nobody changed it since `etag` (else 412); answers the
 * saved version and its new tag. A 422 lists each problem with the pointer of its field.
 */
export async function saveDraft(key, version, definition, etag) {
  const headers = etag ? { "If-Match": etag } : {};
  const response = await api.send("PUT", versionPath(key, version), {
    body: JSON.stringify(definition), contentType: JSON_TYPE, headers,
  });
  const saved = await response.json();
  return { version: saved, etag: tagOf(response, saved) };
}

export function versionDiff(key, version, against) {
  return api.get(`${versionPath(key, version)}/diff?against=${encodeURIComponent(against)}`);
}

/** submit | approve | reject | retire, with its body ({signature} or {reason}). */
export function transition(key, version, action, body = {}) {
  return api.post(`${versionPath(key, version)}/${action}`, body);
}

export function yamlHref(key, version) {
  return `/api/v1${versionPath(key, version)}.yaml`;
}

function stepMediaPath(key, version, stepId) {
  return `${versionPath(key, version)}/steps/${encodeURIComponent(stepId)}/media`;
}

/**
 * Attach `file` (a picture, short video or PDF) to step `stepId` of a draft, if nobody
 * changed the draft since `etag` (else 412); answers {change, etag}: the step's files now.
 */
export async function attachStepMedia(key, version, stepId, file, caption, etag) {
  const query = caption ? `?caption=${encodeURIComponent(caption)}` : "";
  const response = await api.send("POST", stepMediaPath(key, version, stepId) + query, {
    body: file, contentType: file.type || "application/octet-stream", headers: etag ? { "If-Match": etag } : {},
  });
  const change = await response.json();
  return { change, etag: tagOf(response, change) };
}

/** Take file `mediaId` off step `stepId` of a draft; answers {change, etag}. */
export async function detachStepMedia(key, version, stepId, mediaId, etag) {
  const response = await api.send("DELETE", `${stepMediaPath(key, version, stepId)}/${encodeURIComponent(mediaId)}`, {
    headers: etag ? { "If-Match": etag } : {},
  });
  const change = await response.json();
  return { change, etag: tagOf(response, change) };
}
