// A deviation's history from the audit trail: who, when, what changed (old → new) and why.

import { h } from "../dom.js";
import * as format from "../format.js";
import { timeOf } from "./record_parts.js";

export function deviationHistory(entries) {
  return h(
    "section",
    { class: "deviation-history", "aria-labelledby": "history-title" },
    h("h2", { id: "history-title" }, "History"),
    entries.length
      ? h("ol", { class: "audit-list" }, entries.map((entry) => h(
          "li",
          { class: "audit-list__entry" },
          h("p", { class: "audit-list__head" },
            h("span", { class: "audit-list__action" }, actionOf(entry.action)),
            " by ", h("span", { class: "audit-list__actor" }, actorOf(entry.actor)), ", ", timeOf(entry.at)),
          changesOf(entry.old, entry.new),
          entry.reason && h("p", { class: "audit-list__reason" }, h("span", { class: "label" }, "Why: "), entry.reason),
        )))
      : h("p", { class: "muted" }, "No changes recorded yet."),
  );
}

const FIELD_LABELS = { capa: "CAPA references", detail: "Description", step_id: "Step", root_cause: "Root cause" };

/** "deviation.opened" reads "Opened": the page already says what the entity is. */
function actionOf(action) {
  return format.capitalise(String(action ?? "").split(".").pop());
}

function actorOf(actor) {
  if (actor && typeof actor === "object") return actor.full_name ?? actor.username ?? "?";
  return actor ?? "?";
}

/** Each changed field as "name: old → new"; a whole value when the entry is not a record. */
function changesOf(old, now) {
  const isRecord = (value) => value && typeof value === "object" && !Array.isArray(value);
  if (!isRecord(old) && !isRecord(now)) {
    if (given(old) === null && given(now) === null) return null;
    return h("ul", { class: "audit-list__changes" }, change(null, old, now));
  }
  const names = [...new Set([...Object.keys(old ?? {}), ...Object.keys(now ?? {})])];
  const changed = names.filter((name) => JSON.stringify(given(old?.[name])) !== JSON.stringify(given(now?.[name])));
  if (!changed.length) return null;
  return h("ul", { class: "audit-list__changes" }, changed.map((name) => change(name, old?.[name], now?.[name])));
}

function change(name, old, now) {
  return h(
    "li",
    {},
    name && h("span", { class: "audit-list__field" }, `${FIELD_LABELS[name] ?? format.capitalise(name)}: `),
    given(old) === null ? h("span", { class: "muted" }, "(none)") : h("del", {}, text(old)),
    " → ",
    given(now) === null ? h("span", { class: "muted" }, "(none)") : h("ins", {}, text(now)),
  );
}

/** A value as recorded, with nothing (null, undefined, "", []) as null. */
function given(value) {
  if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) return null;
  return value;
}

function text(value) {
  if (Array.isArray(value)) return value.join(", ");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
