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
  if (value === null || value === undefined || value === "") return h("span", { class: "muted" }, value === "" ? "empty" : "none");
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
    h("tbody", {}, fields.map((entry) => h("tr", { "data-field": entry.field, "data-kind": entry.kind },
      h("th", { scope: "row" }, h("code", {}, entry.field), entry.kind !== "field" && h("span", { class: "muted" }, ` (${entry.kind})`)),
      h("td", { class: "diff-old" }, shown(entry.old)),
      h("td", { class: "diff-new" }, shown(entry.new))))));
}

function place(at) {
  return at ? `operation ${at.operation}, position ${at.index + 1}` : "";
}

/** One added, removed, moved or changed operation or step. */
function entryItem(change, entry, what) {
  const where = change === "moved"
    ? `Moved from ${place(entry.old)} to ${place(entry.new)}.`
    : change === "added" && entry.at ? `At ${place(entry.at)}.`
      : change === "added" && entry.index != null ? `At position ${entry.index + 1}.` : null;
  return h("li", { class: ["diff-entry", `diff-entry--${change}`], [`data-${what}`]: entry.id },
    h("div", { class: "diff-entry__head" }, tag(change),
      h("strong", {}, entry.title ?? entry.id), h("code", { class: "muted" }, entry.id)),
    where && h("p", { class: "muted" }, where),
    entry.changes?.length > 0 && fieldRows(entry.changes));
}

function changeList(group, what) {
  const items = ["added", "removed", "moved", "changed"].flatMap((change) =>
    (group?.[change] ?? []).map((entry) => entryItem(change, entry, what)));
  return items.length ? h("ul", { class: "diff-list" }, items) : null;
}

/** The diff `diff` (GET .../diff) of version `version` against `against`, as a section. */
export function versionDiff(diff, { version, against, headingLevel = "h2" }) {
  const procedure = diff.procedure ?? [];
  const operations = changeList(diff.operations, "operation");
  const steps = changeList(diff.steps, "step");
  const sub = headingLevel === "h2" ? "h3" : "h4";
  return h("section", { class: "version-diff", id: "version-diff", "aria-labelledby": "version-diff-title" },
    h(headingLevel, { id: "version-diff-title" }, `Changes from version ${against} to version ${version}`),
    diff.unchanged && h("p", { class: "notice notice--info" }, icon("info"), "No changes: the two versions define the same procedure."),
    procedure.length > 0 && h("div", {}, h(sub, {}, "Procedure"), fieldRows(procedure)),
    operations && h("div", {}, h(sub, {}, "Operations"), operations),
    steps && h("div", {}, h(sub, {}, "Steps"), steps));
}
