// The facts of a deviation's investigation: description, impact, root cause, CAPA references
// (and the severity, which QA sets). Anyone on the floor may add facts while it is unresolved.

import { api, ApiError } from "../api.js";
import { h } from "../dom.js";
import * as format from "../format.js";
import { field, formMessage, showProblem } from "./forms.js";
import { icon } from "./icons.js";

const SEVERITIES = ["minor", "major", "critical"];

/**
 * The facts of `deviation`: a form when `editable` (severity too when `setsSeverity`), else
 * their text. `onSaved(deviation)` gets the answer. Returns {element, save(), showProblem(error)}:
 * save(notify) sends what changed (answers true when saved or nothing changed).
 */
export function deviationFacts({ deviation, editable, setsSeverity, onSaved }) {
  if (!editable) return { element: readOnly(deviation), save: async () => true, showProblem: () => false };
  const area = (name, label, value, hint) => field({
    label,
    hint,
    control: h("textarea", { id: `facts-${name}`, name, rows: 3, maxlength: 4000, class: "text-input" }, value ?? ""),
  });
  const fields = {
    description: area("description", "Description", deviation.detail, "What happened."),
    impact: area("impact", "Impact assessment", deviation.impact, "What it means for the product and the batch."),
    root_cause: area("root_cause", "Root cause", deviation.root_cause),
    capa: area("capa", "CAPA references", (deviation.capa ?? []).join("\n"), "One reference per line, e.g. CAPA-2026-014."),
  };
  if (setsSeverity) {
    fields.severity = field({
      label: "Severity",
      control: h("select", { id: "facts-severity", name: "severity" },
        SEVERITIES.map((severity) => h("option", { value: severity, selected: severity === deviation.severity }, format.capitalise(severity)))),
    });
  }
  fields.reason = field({
    label: "Reason for the change (optional)",
    hint: "Recorded in the audit trail with the change.",
    control: h("input", { id: "facts-reason", name: "reason", autocomplete: "off", maxlength: 500 }),
  });
  const message = formMessage();
  const submit = h("button", { type: "submit", class: "button button--primary", id: "facts-save" }, icon("check"), "Save facts");

  function changes() {
    const body = {};
    const text = (name) => fields[name].control.value.trim();
    if (text("description") !== (deviation.detail ?? "")) body.description = text("description");
    if (text("impact") !== (deviation.impact ?? "")) body.impact = text("impact");
    if (text("root_cause") !== (deviation.root_cause ?? "")) body.root_cause = text("root_cause");
    const capa = text("capa").split("\n").map((line) => line.trim()).filter(Boolean);
    if (capa.join("\n") !== (deviation.capa ?? []).join("\n")) body.capa = capa;
    if (fields.severity && fields.severity.control.value !== deviation.severity) body.severity = fields.severity.control.value;
    if (Object.keys(body).length && text("reason")) body.reason = text("reason");
    return body;
  }

  function placeProblem(error) {
    const { placed, unplaced } = showProblem(error, fields);
    if (!placed || unplaced.length) message.show([error.detail, ...unplaced].join(" "));
    return placed;
  }

  /** `notify`: hand the answer to onSaved (a save before closing leaves that to the close). */
  async function save(notify = true) {
    message.clear();
    for (const f of Object.values(fields)) f.setError(null);
    const body = changes();
    if (!Object.keys(body).length) return true;
    submit.disabled = true;
    try {
      const saved = await api.request("PATCH", `/deviations/${encodeURIComponent(deviation.id)}`, body);
      if (notify) onSaved(saved);
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      placeProblem(error);
      return false;
    } finally {
      submit.disabled = false;
    }
  }

  const element = h(
    "form",
    { class: "deviation-facts", novalidate: true, "aria-labelledby": "facts-title", onSubmit: (event) => {
      event.preventDefault();
      save();
    } },
    h("h2", { id: "facts-title" }, "Investigation"),
    message.element,
    Object.values(fields).map((f) => f.element),
    h("div", { class: "form-actions" }, submit),
  );
  return { element, save, showProblem: placeProblem };
}

function readOnly(deviation) {
  const rows = [
    ["Description", deviation.detail],
    ["Impact assessment", deviation.impact],
    ["Root cause", deviation.root_cause],
    ["CAPA references", (deviation.capa ?? []).join(", ")],
    deviation.conclusion && ["Conclusion", deviation.conclusion],
    deviation.cancel_reason && ["Reason for cancelling", deviation.cancel_reason],
  ].filter(Boolean);
  return h(
    "section",
    { class: "deviation-facts", "aria-labelledby": "facts-title" },
    h("h2", { id: "facts-title" }, "Investigation"),
    h("dl", { class: "deviation-facts__list" }, rows.map(([term, detail]) =>
      h("div", {}, h("dt", {}, term), h("dd", {}, detail || h("span", { class: "muted" }, "Not given"))))),
  );
}
