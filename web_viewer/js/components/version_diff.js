// What changed between two versions of a procedure, as the server's semantic diff says: steps
// added, removed, moved and changed, and for a changed step which fields, old → new.

import { h } from "../dom.js";
import * as format from "../format.js";
import { icon } from "./icons.js";
import { chip } from "./status.js";

const CHANGES = {
  added: ["ok", "plus", "Added"],
  removed: ["danger", "ban", "Removed"],
  moved: ["active", "layers", "Moved"],
  changed: ["warn", "pencil", "Changed"],
};

function tag(change) {
  const [tone, iconName, text] = CHANGES[change] ?? ["neutral", "info", format.capitalise(change ?? "changed")];
  return chip(tone, iconName, text, { "data-change": change });
}

/** A value in a diff: limits read as ranges, lists and objects as compact JSON. */
function shown(value) {
  if (value === null || value === undefined) return h("span", { class: "muted" }, "none");
  if (typeof value === "object" && !Array.isArray(value) && ["min", "max", "alert_min", "alert_max"].some((k) => k in value)) {
    const hard = format.range(value.min, value.max);
    const alert = format.range(value.alert_min, value.alert_max);
    return h("span", {}, [hard && `hard ${hard}`, alert && `alert ${alert}`].filter(Boolean).join(", ") || "none");
  }
  if (typeof value === "string") return h("code", {}, value);
  return h("code", {}, JSON.stringify(value));
}

function fieldRows(fields) {
  return h("table", { class: "list-table diff-fields" },
    h("thead", {}, h("tr", {}, ["Field", "Before", "After"].map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, fields.map((entry) => h("tr", { "data-field": entry.field ?? entry.path ?? entry.pointer },
      h("th", { scope: "row" }, h("code", {}, entry.field ?? entry.path ?? entry.pointer ?? "")),
      h("td", { class: "diff-old" }, shown(entry.old ?? entry.before ?? entry.from)),
      h("td", { class: "diff-new" }, shown(entry.new ?? entry.after ?? entry.to))))));
}

function fieldsOf(entry) {
  return entry.fields ?? entry.changes ?? [];
}

function stepEntry(entry) {
  const fields = fieldsOf(entry);
  const where = entry.change === "moved" || (entry.from_position != null && entry.to_position != null)
    ? h("p", { class: "muted" }, `From ${entry.from_operation ?? ""} position ${entry.from_position ?? "?"} to ${entry.to_operation ?? ""} position ${entry.to_position ?? "?"}`)
    : null;
  return h("li", { class: ["diff-entry", `diff-entry--${entry.change}`], "data-step": entry.step_id ?? entry.id },
    h("div", { class: "diff-entry__head" }, tag(entry.change),
      h("strong", {}, entry.title ?? entry.step_id ?? entry.id ?? ""),
      (entry.step_id ?? entry.id) && h("code", { class: "muted" }, entry.step_id ?? entry.id)),
    where,
    fields.length > 0 && fieldRows(fields));
}

/** The diff `diff` (GET .../diff) of version `version` against `against`, as a section. */
export function versionDiff(diff, { version, against, headingLevel = "h2" }) {
  const steps = diff.steps ?? [];
  const procedure = diff.procedure ?? diff.fields ?? [];
  const operations = diff.operations ?? [];
  const nothing = !steps.length && !procedure.length && !operations.length;
  return h("section", { class: "version-diff", id: "version-diff", "aria-labelledby": "version-diff-title" },
    h(headingLevel, { id: "version-diff-title" }, `Changes from version ${against} to version ${version}`),
    nothing && h("p", { class: "notice notice--info" }, icon("info"), "No changes: the two versions define the same procedure."),
    procedure.length > 0 && h("div", {}, h("h3", {}, "Procedure"), fieldRows(procedure)),
    operations.length > 0 && h("div", {}, h("h3", {}, "Operations"), h("ul", { class: "diff-list" }, operations.map(stepEntry))),
    steps.length > 0 && h("div", {}, h("h3", {}, "Steps"), h("ul", { class: "diff-list" }, steps.map(stepEntry))));
}
