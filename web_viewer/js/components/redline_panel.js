// In-run changes ("redlines") of one batch's procedure: each proposal with its reason and
// changes to the master, QA's e-signed approval or reasoned rejection, and a supervisor's
// form to propose one (a step's instruction and limits, or an instruction step after it).

import { api, ApiError } from "../api.js";
import { h } from "../dom.js";
import { field, formMessage, showProblem } from "./forms.js";
import { icon } from "./icons.js";
import { signatureList, signatureOf, timeOf } from "./record_parts.js";
import { signAndSend } from "./signed_action.js";
import { statusChip } from "./status.js";

const OPEN = ["created", "in_progress", "on_hold"];
const LIMITS = [["min", "Hard minimum"], ["max", "Hard maximum"], ["alert_min", "Alert minimum"], ["alert_max", "Alert maximum"]];

/**
 * The batch's redlines and, for whoever may, the controls to propose, approve or reject
 * them. `definition`: the procedure the batch follows; `onChanged()` re-reads the batch.
 */
export function redlinePanel({ batch, definition, redlines, user, canPropose, canDecide, onChanged }) {
  const proposing = canPropose && OPEN.includes(batch.status);
  if (!redlines.length && !proposing) return null;
  return h(
    "section",
    { class: "redlines", "aria-labelledby": "redlines-title" },
    h("h2", { id: "redlines-title", class: "redlines__title" }, icon("pencil"), "Changes to the master procedure for this batch"),
    redlines.length
      ? h("ol", { class: "redlines__list" }, redlines.map((redline) =>
        h("li", {}, redlineCard({ batch, redline, user, canDecide: canDecide && OPEN.includes(batch.status), onChanged }))))
      : h("p", { class: "muted" }, "No redlines: this batch follows its approved version."),
    proposing && proposeForm({ batch, definition, onChanged }),
  );
}

function redlineCard({ batch, redline, user, canDecide, onChanged }) {
  const titleId = `redline-${redline.number}-title`;
  const proposer = `${redline.proposed_by.full_name} (${redline.proposed_by.username})`;
  return h(
    "article",
    { class: "redline", "aria-labelledby": titleId, "data-redline": redline.number },
    h("h3", { id: titleId, class: "redline__title" }, `Redline ${redline.number} `, statusChip("redline", redline.status)),
    h("p", { class: "redline__reason" }, h("span", { class: "label" }, "Reason: "), redline.reason),
    h("p", { class: "redline__meta" }, `Proposed by ${proposer}, `, timeOf(redline.proposed_at),
      redline.deviation_id && [" · ", h("a", { href: `#/deviations/${encodeURIComponent(redline.deviation_id)}` }, "Deviation")]),
    h("ul", { class: "redline__changes" }, redline.changes.map((line) => h("li", {}, line))),
    redline.status === "approved" && signatureList([signatureOf(redline.decided_by, redline.decided_at, "approved")]),
    redline.status === "rejected" && h("p", { class: "redline__meta" },
      `Rejected by ${redline.decided_by?.full_name ?? "?"}, `, timeOf(redline.decided_at), `: ${redline.decision_comment ?? ""}`),
    redline.status === "proposed" && (canDecide
      ? decisionControls({ batch, redline, user, onChanged })
      : h("p", { class: "muted" }, "Takes effect once QA approves it with an e-signature.")),
  );
}

function decisionControls({ batch, redline, user, onChanged }) {
  const path = `/batches/${encodeURIComponent(batch.id)}/redlines/${encodeURIComponent(redline.id)}`;
  const message = formMessage();
  const reason = field({
    label: "Reason for rejecting",
    control: h("textarea", { id: `redline-${redline.number}-reject-reason`, rows: 2, maxlength: 4000, class: "text-input" }),
  });

  async function approve() {
    message.clear();
    const { signed, error } = await signAndSend({
      title: `Approve redline ${redline.number} of batch ${batch.batch_number}`,
      meaning: "approved",
      user,
      details: h("ul", {}, redline.changes.map((line) => h("li", {}, line))),
      send: (signature) => api.post(`${path}/approve`, { signature }),
    });
    if (error) message.show(error.detail);
    if (signed) onChanged();
  }

  async function reject(event) {
    event.preventDefault();
    message.clear();
    const text = reason.control.value.trim();
    if (!text) {
      reason.setError("Say why it is rejected.");
      reason.control.focus();
      return;
    }
    try {
      await api.post(`${path}/reject`, { reason: text });
      onChanged();
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      message.show(failure.detail);
    }
  }

  return h("div", { class: "redline__decision" },
    message.element,
    h("button", { type: "button", class: "button button--primary", id: `redline-${redline.number}-approve`, onClick: approve },
      icon("shield"), "Approve redline"),
    h("form", { class: "redline__reject", novalidate: true, onSubmit: reject }, reason.element,
      h("button", { type: "submit", class: "button", id: `redline-${redline.number}-reject` }, "Reject redline")));
}

function proposeForm({ batch, definition, onChanged }) {
  const states = new Map(batch.steps.map((step) => [step.step_id, step.state]));
  const changeable = definition.operations.flatMap((operation) => operation.steps)
    .filter((step) => ["pending", "active"].includes(states.get(step.id)));
  if (!changeable.length) return null;
  const message = formMessage();
  const stepSelect = field({
    label: "Step to change",
    control: h("select", { id: "redline-step", class: "text-input" },
      changeable.map((step) => h("option", { value: step.id }, step.title))),
  });
  const instruction = field({
    label: "Instruction",
    control: h("textarea", { id: "redline-instruction", rows: 3, maxlength: 4000, class: "text-input" }),
  });
  const limitsBox = h("div", { class: "redline__limits" });
  let limitFields = {};
  let limitErrors = {};
  const addStep = h("input", { type: "checkbox", id: "redline-add-step" });
  const newTitle = field({ label: "Title of the new step", control: h("input", { id: "redline-new-title", class: "text-input", maxlength: 200 }) });
  const newInstruction = field({
    label: "Instruction of the new step",
    control: h("textarea", { id: "redline-new-instruction", rows: 2, maxlength: 4000, class: "text-input" }),
  });
  const reason = field({
    label: "Reason for the change",
    control: h("textarea", { id: "redline-reason", rows: 2, maxlength: 4000, class: "text-input", required: true }),
  });

  function selected() {
    return changeable.find((step) => step.id === stepSelect.control.value);
  }

  function showStep() {
    const step = selected();
    instruction.control.value = step.instruction ?? "";
    limitFields = {};
    limitErrors = {};
    const inputs = step.inputs ?? [];
    limitsBox.replaceChildren(...inputs.flatMap((input, index) => {
      if (input.type !== "number") return [];
      const error = h("p", { class: "field__error", id: `redline-${input.name}-limits-error`, hidden: true });
      const controls = LIMITS.map(([name, label]) => {
        const control = h("input", { type: "number", step: "any", id: `redline-${input.name}-${name}`, class: "text-input" });
        control.value = input.limits?.[name] ?? "";
        const limit = field({ label, control });
        limitFields[`${input.name}.${name}`] = { ...limit, index, name };
        return limit;
      });
      limitErrors[index] = limitsError(error, controls.map((limit) => limit.control));
      return [h("fieldset", { class: "redline__input" },
        h("legend", {}, `${input.label ?? input.name}${input.unit ? ` (${input.unit})` : ""}`),
        controls.map((limit) => limit.element), error)];
    }));
  }
  stepSelect.control.addEventListener("change", showStep);
  showStep();

  function proposed() {
    const changed = structuredClone(definition);
    const operation = changed.operations.find((op) => op.steps.some((step) => step.id === selected().id));
    const position = operation.steps.findIndex((step) => step.id === selected().id);
    const step = operation.steps[position];
    const text = instruction.control.value.trim();
    if (text) step.instruction = text;
    else delete step.instruction;
    for (const { control, index, name } of Object.values(limitFields)) {
      const input = step.inputs[index];
      const limits = { ...(input.limits ?? {}) };
      if (control.value === "") delete limits[name];
      else limits[name] = Number(control.value);
      input.limits = limits;
    }
    if (addStep.checked) {
      const title = newTitle.control.value.trim();
      operation.steps.splice(position + 1, 0, {
        id: `${step.id}_redline_${Date.now().toString(36)}`,
        title,
        kind: "instruction",
        instruction: newInstruction.control.value.trim(),
      });
    }
    return changed;
  }

  /** The form's fields by the JSON pointer a refusal names them with. */
  function pointerFields() {
    const operation = definition.operations.findIndex((op) => op.steps.some((step) => step.id === selected().id));
    const position = definition.operations[operation].steps.findIndex((step) => step.id === selected().id);
    const at = `/operations/${operation}/steps/${position}`;
    const next = `/operations/${operation}/steps/${position + 1}`;
    const fields = { [`${at}/instruction`]: instruction, [`${next}/title`]: newTitle, [`${next}/instruction`]: newInstruction };
    for (const [index, limits] of Object.entries(limitErrors)) fields[`${at}/inputs/${index}/limits`] = limits;
    return fields;
  }

  async function propose(event) {
    event.preventDefault();
    message.clear();
    const why = reason.control.value.trim();
    if (!why) {
      reason.setError("Say why the batch needs this change.");
      reason.control.focus();
      return;
    }
    reason.setError(null);
    try {
      await api.post(`/batches/${encodeURIComponent(batch.id)}/redlines`, { definition: proposed(), reason: why });
      onChanged();
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      const { unplaced } = showProblem(failure, pointerFields());
      message.show(unplaced.length ? unplaced.join(" ") : "The change was refused: see the fields marked.");
    }
  }

  return h("form", { class: "redline__propose", novalidate: true, onSubmit: propose, "aria-labelledby": "redline-propose-title" },
    h("h3", { id: "redline-propose-title" }, "Propose a change for this batch"),
    h("p", { class: "muted" }, "It applies to this batch only, once QA approves it; the approved version does not change."),
    message.element,
    stepSelect.element, instruction.element, limitsBox,
    h("div", { class: "field field--inline" }, addStep, h("label", { for: "redline-add-step" }, "Add an instruction step after it")),
    newTitle.element, newInstruction.element, reason.element,
    h("button", { type: "submit", class: "button button--primary", id: "redline-propose" }, icon("pencil"), "Propose redline"));
}

/** The error of a whole set of limits (min above max...), shown under them, as a field. */
function limitsError(error, controls) {
  return {
    control: controls[1],
    setError(message) {
      error.hidden = !message;
      error.textContent = message ?? "";
      for (const control of controls) {
        if (message) control.setAttribute("aria-invalid", "true");
        else control.removeAttribute("aria-invalid");
      }
    },
  };
}
