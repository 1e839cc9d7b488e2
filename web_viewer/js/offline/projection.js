// The batch as the operator sees it: the server's record (or the copy kept for offline use)
// with the start and completions still waiting in the outbox laid over it, by the server's rules
// (headset_client/projection.py). Pure. Laying an entry over a record that already holds it
// changes nothing (its step is no longer active), so a record read while it was in flight is
// still right.

import { decidesLocally } from "./guardrails.js";

/**
 * `batch` (a batch read) with the waiting `entries` of `user` (a start, completions)
 * applied in order.
 * A step completed here but not yet sent has `waiting: "to-send"`; one that needs the
 * server's judgement first stays active with `waiting: "server"`; `batch.undecided` says the
 * next step depends on a condition only the server evaluates.
 */
export function project(batch, entries, user) {
  const projected = { ...batch, steps: batch.steps.map((step) => ({ ...step })), undecided: false };
  for (const entry of entries) {
    if (entry.state !== "pending") continue;
    if (entry.kind === "start") start(projected);
    if (entry.kind === "complete") apply(projected, entry, user);
  }
  return projected;
}

/** A start waiting to be sent: the batch is shown started, its first step open. */
function start(batch) {
  if (batch.status !== "created") return;
  batch.status = "in_progress";
  advance(batch);
}

function apply(batch, entry, user) {
  if (batch.status !== "in_progress") return;
  const step = batch.steps.find((record) => record.step_id === entry.stepId);
  if (!step || step.state !== "active" || step.waiting) return;
  if (entry.needsServer) {
    step.waiting = "server";
    return;
  }
  Object.assign(step, {
    state: "completed",
    waiting: "to-send",
    values: { ...entry.values },
    comment: entry.comment ?? null,
    completed_at: entry.savedAt,
    completed_by: { username: user.username, full_name: user.full_name },
  });
  batch.progress = { ...batch.progress, completed: batch.progress.completed + 1 };
  advance(batch);
}

/** The next pending step becomes active, unless a condition decides it: then the server does. */
function advance(batch) {
  const next = [...batch.steps].sort((a, b) => a.position - b.position).find((record) => record.state === "pending");
  batch.current_step = null;
  batch.current_step_title = null;
  if (!next) {
    batch.undecided = true;
    return;
  }
  if (!decidesLocally(next.definition)) {
    batch.undecided = true;
    return;
  }
  next.state = "active";
  batch.current_step = next.step_id;
  batch.current_step_title = next.title;
}
