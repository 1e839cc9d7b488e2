// The active step on the operator's phone: what to do, the inputs, the comment that values in
// the alert band need, the e-signature, and the server's refusals next to the fields they name.

import { api, ApiError } from "../api.js";
import { h } from "../dom.js";
import * as format from "../format.js";
import { completeStep, waitingCount } from "../offline/submit.js";
import { dispenseTable } from "./dispense.js";
import { field, formMessage, showProblem } from "./forms.js";
import { typeButton } from "./headset.js";
import { icon } from "./icons.js";
import { InputProblem, operatorInput } from "./operator_inputs.js";
import { timeOf } from "./record_parts.js";
import { askSignature } from "./signature_dialog.js";
import { stepCard } from "./step_card.js";
import { chip } from "./status.js";
import { stepMedia } from "./step_media.js";
import { valuesTable } from "./values_table.js";

/** The values a dispense step sends: the scanned balance and lot, a typed weight if any. */
function dispenseInputs(dispense) {
  return [
    { name: "balance", label: "Balance", type: "scan", expects: { kind: "equipment", type: dispense.balance_type ?? "balance" } },
    { name: "lot", label: "Source lot", type: "scan", expects: { kind: "material", material: dispense.material } },
    {
      name: dispense.name, label: "Net weight, typed only if the balance cannot be read", say: "net weight", type: "number",
      unit: dispense.unit, decimals: dispense.decimals, required: false,
    },
  ];
}

/**
 * The form of the active step `record` of `batch`. `tools`: the camera ({scan, photo});
 * `onCompleted(result)` after the server accepted it; `onQueued()` when it was saved to be
 * sent once the connection is back; `onStale()` when the server says the step is no longer
 * the active one; `held`: the batch is on hold, completion is disabled.
 * Answers {element, stepId, offerScan(event), rejectScan(event)}.
 */
export function operatorStep({ batch, record, user, tools, onCompleted, onQueued, onStale, held = false }) {
  const definition = record.definition;
  const position = batch.steps.findIndex((step) => step.step_id === record.step_id) + 1;
  const titles = new Map(batch.steps.map((step) => [step.step_id, step.title]));
  const specs = definition.dispense ? dispenseInputs(definition.dispense) : definition.inputs ?? [];
  const inputs = specs.map((spec) => {
    const input = operatorInput(spec, { tools, onChange: () => edited(input), batchId: batch.id, user, checklist: definition.kind === "checklist" });
    return input;
  });
  const comment = field({
    label: "Comment",
    hint: "Required for a value in the alert band: say why it is acceptable. It opens a deviation.",
    control: h("textarea", { id: "step-comment", name: "comment", rows: 3, maxlength: 4000, class: "op-input" }),
  });
  comment.control.before(typeButton(comment.control, "comment"));
  comment.element.hidden = true;
  comment.control.addEventListener("input", () => edited(comment));
  const message = formMessage();
  const verification = definition.kind === "verification";
  const signs = verification ? "verified" : definition.signature ?? null;
  const submit = h(
    "button",
    { type: "submit", class: "button button--primary op-button op-button--main", id: "complete-step" },
    icon(signs ? "shield" : "check"),
    verification ? "Verify and sign" : signs ? "Sign and complete" : "Complete step",
  );
  if (held) {
    submit.disabled = true;
    submit.setAttribute("aria-describedby", "hold-waiting");
  }

  // Whether the form's message sends the operator to the fields marked below.
  let refusedAtFields = false;

  /** A field the operator changed: its refusal no longer holds, and with the last one
   * corrected the form's message goes too. */
  function edited(changed) {
    changed.setError(null);
    if (refusedAtFields && !element.querySelector('[aria-invalid="true"]')) {
      refusedAtFields = false;
      message.clear();
    }
    if (inputs.some((input) => input.band?.() === "alert")) comment.element.hidden = false;
  }

  const fields = {
    comment,
    ...Object.fromEntries(inputs.map((input) => [`values.${input.name}`, input])),
    ...(definition.dispense && {
      [`values.${definition.dispense.name}_balance`]: inputs[0],
      [`values.${definition.dispense.name}_lot`]: inputs[1],
    }),
  };

  /** Place a refusal at its fields; anything unplaced goes in the form's message. */
  function showRefusal(error) {
    if (error.errors.some((entry) => entry.field === "comment")) comment.element.hidden = false;
    // The server's field messages continue a sentence ("it is in use by another batch").
    const errors = error.errors.map((entry) => ({ ...entry, message: sentence(entry.message) }));
    const { placed, unplaced } = showProblem({ ...error, errors }, fields);
    refusedAtFields = Boolean(placed);
    if (!placed) message.show(error.detail);
    else message.show(["The step was not completed. Check the fields marked below.", ...unplaced].join(" "));
  }

  // A completion sent again after the network failed keeps its Idempotency-Key: if the
  // first one did arrive, the server answers as it did then and records nothing twice.
  let attempt = null;
  function idempotencyKey(json) {
    if (attempt?.json !== json) attempt = { json, key: randomKey() };
    return attempt.key;
  }

  /** Send a signed completion directly (a password is never saved in the outbox); answers
   * the refusal to show in the signature dialog, else null. */
  async function sendSigned(body, deferred) {
    const json = JSON.stringify(body);
    const path = `/batches/${encodeURIComponent(batch.id)}/steps/${encodeURIComponent(record.step_id)}/complete`;
    try {
      const result = await api.post(path, body, { headers: { "Idempotency-Key": idempotencyKey(json) } });
      attempt = null;
      onCompleted(result);
      return null;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status !== 0) attempt = null;
      const signerProblem = error.errors.length > 0 && error.errors.every((entry) => entry.field?.startsWith("signature"));
      if (signerProblem || error.status === 403) return error.detail;
      deferred.push(error);
      return null;
    }
  }

  /** Save the completion in the outbox and send it (see offline/submit.js). */
  async function send(body, deferred) {
    try {
      const result = await completeStep({ batch, record, user, body });
      if (result.outcome === "done") onCompleted(result.answer);
      else onQueued();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      deferred.push(error);
    }
  }

  function handleFailure(error) {
    if (error.status === 422 && error.errors.length) showRefusal(error);
    else message.show(error.detail);
    if (error.status === 409) onStale();
  }

  async function complete(event) {
    event.preventDefault();
    if (held) return;
    message.clear();
    for (const f of Object.values(fields)) f.setError(null);
    const values = {};
    const problems = [];
    for (const input of inputs) {
      try {
        const value = input.read();
        if (value !== undefined) values[input.name] = value;
      } catch (problem) {
        if (!(problem instanceof InputProblem)) throw problem;
        problems.push({ field: `values.${input.name}`, message: problem.message });
      }
    }
    if (problems.length) {
      showRefusal({ errors: problems, detail: "" });
      return;
    }
    const body = { values };
    const text = comment.control.value.trim();
    if (!comment.element.hidden && text) body.comment = text;
    const deferred = [];
    submit.disabled = true;
    try {
      const waiting = signs ? await waitingCount(user) : 0;
      if (waiting) {
        message.show(`This step needs the server (an e-signature): it can be signed once the ${waiting} ${waiting === 1 ? "submission" : "submissions"} waiting on this phone ${waiting === 1 ? "has" : "have"} been sent.`);
      } else if (signs) {
        await askSignature({
          title: definition.title,
          meaning: signs,
          signer: user,
          otherSigner: verification,
          onSign: (signature) => sendSigned({ ...body, signature }, deferred),
        });
      } else {
        await send(body, deferred);
      }
    } finally {
      submit.disabled = false;
    }
    // After the dialog has closed and given the focus back: the refusal takes it to the field.
    for (const error of deferred) handleFailure(error);
  }

  const element = h(
    "section",
    { class: "op-step", "aria-labelledby": "active-step-title", "data-step": record.step_id, id: "active-step" },
    // The current instruction: on a headset it stays in sight while the form scrolls.
    h("div", { class: "op-step__top" },
      h("p", { class: "eyebrow" }, `Step ${position} of ${batch.steps.length}`),
      h("div", { class: "op-step__head" },
        h("h2", { id: "active-step-title", class: "op-step__title", tabindex: "-1" }, definition.title),
        chip("active", "play", format.KIND_LABELS[definition.kind] ?? definition.kind)),
      definition.instruction && h("p", { class: "op-step__instruction" }, definition.instruction)),
    stepMedia(definition.media),
    context(batch, record, titles),
    h(
      "form",
      { class: "op-step__form", novalidate: true, "aria-labelledby": "active-step-title", onSubmit: complete },
      message.element,
      inputs.map((input) => input.element),
      comment.element,
      submit,
    ),
  );

  function findInput(event) {
    const scans = inputs.filter((input) => input.offer);
    return scans.find((input) => input.name === event.input) ?? (event.input ? null : scans[0]);
  }

  return {
    element,
    stepId: record.step_id,
    offerScan(event) {
      if (event.step_id === record.step_id) findInput(event)?.offer(event.text, event.resolved);
    },
    rejectScan(event) {
      if (event.step_id === record.step_id) findInput(event)?.reject(event.reason ?? "no reason given");
    },
  };
}

/** What the operator needs to know beyond the inputs: what is verified, held or calculated. */
function context(batch, record, titles) {
  const definition = record.definition;
  const parts = [];
  if (definition.kind === "verification") {
    const checked = batch.steps.find((step) => step.step_id === definition.verifies);
    parts.push(
      h("p", {}, icon("eye"), ` Check “${titles.get(definition.verifies) ?? definition.verifies}”, completed by `,
        `${checked?.completed_by?.full_name ?? "someone else"}. The verifier (${format.roles(definition.verifier_roles)}) signs, not the performer.`),
      checked && h("ol", { class: "steps", "aria-label": "The step to check" }, withoutIds(stepCard({
        definition: checked.definition, record: checked, number: batch.steps.indexOf(checked) + 1, titles,
      }))),
    );
  }
  if (definition.calculations?.length) {
    parts.push(valuesTable(definition.calculations.map((spec) => ({ spec, calculated: true }))));
  }
  if (definition.dispense) parts.push(dispenseTable(definition.dispense, record));
  if (definition.hold) {
    const after = batch.steps.find((step) => step.step_id === definition.hold.after);
    const { min_minutes: low, max_minutes: high } = definition.hold;
    const span = [low != null && `at least ${low} min`, high != null && `at most ${high} min`].filter(Boolean).join(" and ");
    parts.push(h("p", {}, icon("clock"), ` Hold: ${span} after “${titles.get(definition.hold.after)}”`,
      after?.completed_at ? [", completed ", timeOf(after.completed_at)] : "", "."));
  }
  if (definition.signature) parts.push(h("p", {}, icon("shield"), " Completing this step needs your e-signature."));
  return parts.length ? h("div", { class: "op-step__context" }, parts) : null;
}

/** A copy of a record card shown twice on the page (here and in the steps done): no ids. */
function withoutIds(element) {
  for (const node of [element, ...element.querySelectorAll("[id]")]) node.removeAttribute("id");
  return element;
}

function sentence(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/** A random Idempotency-Key (crypto.randomUUID needs https; getRandomValues does not). */
function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
