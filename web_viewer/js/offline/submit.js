// The operator page's submissions (step completions, photos, acknowledgements) through the
// outbox: completions checked here first by the procedure's guardrails, all saved with their
// Idempotency-Key, then sent; the caller learns whether the
// server accepted, refused, or is not reachable now (then the entry waits in the outbox).

import { ApiError } from "../api.js";
import { alertsOf, problemsOf, serverNeeded } from "./guardrails.js";
import { outbox } from "./outbox.js";

/** A refusal found here, shaped as the server's (a 422 with its field problems). */
export class LocalRefusal extends ApiError {
  constructor(problems) {
    super(422, { detail: "The step was not completed.", errors: problems });
  }
}

/**
 * Complete the active step `record` of `batch` with `body` ({values, comment?}) as `user`.
 * Answers {outcome: "done", answer} (the server's answer), {outcome: "waiting"} (saved, to be
 * sent when the connection is back) or throws the refusal (LocalRefusal, or the ApiError the
 * server answered right away; nothing is left in the outbox then).
 */
export async function completeStep({ batch, record, user, body }) {
  const definition = record.definition;
  const problems = definition.dispense ? [] : problemsOf(definition, body.values, body.comment);
  if (problems.length) throw new LocalRefusal(problems);
  const entry = await outbox.add({
    kind: "complete",
    username: user.username,
    batchId: batch.id,
    stepId: record.step_id,
    label: stepLabel(definition, batch, alertsOf(definition, body.values)),
    path: `/batches/${encodeURIComponent(batch.id)}/steps/${encodeURIComponent(record.step_id)}/complete`,
    body,
    values: body.values,
    comment: body.comment ?? null,
    needsServer: serverNeeded(definition) !== null,
  });
  return settled(entry);
}

/** Store a photo for `batchId`: answers {id} (the server's media id, or the outbox's stand-in
 * for it while the photo waits to be sent) and `waiting`. */
export async function storePhoto(image, { batchId, user, label }) {
  const entry = await outbox.add({
    kind: "upload",
    username: user.username,
    batchId,
    stepId: null,
    label: `Photo “${label}”`,
    path: "/media",
    body: image,
  });
  const result = await settled(entry);
  return result.outcome === "done"
    ? { id: result.answer.id, waiting: false }
    : { id: outbox.mediaRef(entry), waiting: true };
}

/**
 * Acknowledge the expert's `annotation` on `batchId` as `user`: answers the annotation as the
 * server now has it, or as it will once the acknowledgement waiting in the outbox is sent.
 */
export async function acknowledgeAnnotation(annotation, { batchId, user }) {
  const entry = await outbox.add({
    kind: "acknowledge",
    username: user.username,
    batchId,
    stepId: null,
    label: `Annotation seen: “${annotation.text || "a drawing"}” from ${annotation.created_by?.full_name ?? "an expert"}`,
    path: `/batches/${encodeURIComponent(batchId)}/annotations/${encodeURIComponent(annotation.id)}/acknowledge`,
    body: {},
  });
  const result = await settled(entry);
  if (result.outcome === "done") return result.answer;
  return { ...annotation, acknowledged_at: entry.savedAt, acknowledged_by: { username: user.username, full_name: user.full_name } };
}

/**
 * Start `batch` as `user`: answers {outcome: "done"} or {outcome: "waiting"} (saved, sent
 * when the connection is back; the page shows the batch started meanwhile), or throws the
 * server's refusal.
 */
export async function startBatch({ batch, user }) {
  const entry = await outbox.add({
    kind: "start",
    username: user.username,
    batchId: batch.id,
    stepId: null,
    label: `Start of batch ${batch.batch_number}`,
    path: `/batches/${encodeURIComponent(batch.id)}/start`,
    body: {},
  });
  const { outcome } = await settled(entry);
  return { outcome };
}

/** How many of `user`'s submissions wait to be sent before anything new can go directly. */
export async function waitingCount(user) {
  return (await outbox.open(user.username)).filter((entry) => entry.state === "pending").length;
}

function stepLabel(definition, batch, alerts) {
  const label = `Step “${definition.title}” (${batch.batch_number})`;
  return alerts.length ? `${label}: opens a deviation for ${alerts.join(", ")} when sent` : label;
}

async function settled(entry) {
  const { outcome, entry: answered } = await outbox.settle(entry);
  if (outcome === "waiting") return { outcome };
  if (outcome === "done") return { outcome, answer: answered.answer };
  // Refused while the operator is still at the form: shown there, not kept in the outbox.
  await outbox.dismiss(answered.seq);
  const problem = answered.answer ?? {};
  throw new ApiError(answered.status ?? 0, problem);
}
