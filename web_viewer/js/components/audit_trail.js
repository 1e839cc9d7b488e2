// The audit trail of a batch: every entry, filtered by step, actor and action, with the old
// and the new value side by side, and a badge saying whether the batch's hash chain holds.

import { api } from "../api.js";
import { h, replace, svg } from "../dom.js";
import * as format from "../format.js";
import { coalesced } from "./coalesced.js";
import { utcTimeOf } from "./record_parts.js";

const ALL = "";
const FILTERS = [
  ["step", "Step", "All steps"],
  ["actor", "Actor", "All actors"],
  ["action", "Action", "All actions"],
];

/**
 * The audit section of batch `batchId`. It keeps its filters across refresh(steps), which
 * reads the trail and its verification again when the batch changes; reads are coalesced
 * and never hold up the record's own (`isCurrent`, `onError`: as for coalesced()).
 */
export function auditTrail(batchId, { isCurrent, onError }) {
  const badge = h("div", { class: "audit__badge" });
  const selects = Object.fromEntries(FILTERS.map(([name]) => [name, h("select", { id: `audit-${name}`, name })]));
  const count = h("p", { class: "audit__count", role: "status" });
  // Focusable: a keyboard scrolls it sideways when the values are wide.
  const table = h("div", { class: "audit__table", tabindex: "0", role: "region", "aria-label": "Audit trail entries" });
  let entries = [];
  let stepTitles = new Map();
  let fieldLabels = new Map();

  const form = h(
    "form",
    { class: "audit__filters", "aria-label": "Filter the audit trail", onSubmit: (event) => event.preventDefault() },
    FILTERS.map(([name, label]) =>
      h("div", { class: "field" }, h("label", { for: `audit-${name}` }, label), selects[name])),
  );
  form.addEventListener("change", show);

  const element = h(
    "section",
    { class: "audit panel", id: "audit-trail", "aria-labelledby": "audit-title" },
    h("div", { class: "audit__head" }, h("h2", { id: "audit-title" }, "Audit trail"), badge),
    h("p", { class: "muted" }, "Every change to this batch's data, who made it and why. Times are UTC."),
    form,
    count,
    table,
  );

  function stepOf(entry, byRecord) {
    if (entry.entity_type === "step") return byRecord.get(entry.entity_id) ?? null;
    return entry.new?.step_id ?? entry.old?.step_id ?? null;
  }

  function show() {
    const wanted = Object.fromEntries(FILTERS.map(([name]) => [name, selects[name].value]));
    const shown = entries.filter((entry) => FILTERS.every(([name]) => wanted[name] === ALL || entry[name] === wanted[name]));
    replace(count, `${shown.length} of ${entries.length} entries`);
    replace(table, shown.length ? entryTable(shown, stepTitles, fieldLabels) : h("p", { class: "muted" }, "No entries match these filters."));
  }

  let latestSteps = [];
  const reread = coalesced(() => read(latestSteps), { isCurrent, onError });

  function refresh(steps) {
    latestSteps = steps;
    return reread();
  }

  async function read(steps) {
    const byRecord = new Map(steps.map((step) => [step.id, step.step_id]));
    stepTitles = new Map(steps.map((step) => [step.step_id, step.title]));
    fieldLabels = new Map(steps.map((step) => [step.step_id, labelsOf(step.definition)]));
    const [trail, verification] = await Promise.all([
      api.getAll(`/batches/${encodeURIComponent(batchId)}/audit`),
      api.get(`/batches/${encodeURIComponent(batchId)}/audit/verify`),
    ]);
    entries = trail.map((entry) => ({ ...entry, step: stepOf(entry, byRecord) ?? ALL }));
    fill(selects.step, [...new Set(entries.map((e) => e.step).filter(Boolean))], (id) => stepTitles.get(id) ?? id);
    fill(selects.actor, [...new Set(entries.map((e) => e.actor))].sort(), (actor) => actor);
    fill(selects.action, [...new Set(entries.map((e) => e.action))].sort(), actionLabel);
    replace(badge, chainBadge(verification));
    show();
  }

  return { element, refresh };
}

/** Options of a filter, keeping the chosen one when it still occurs. */
function fill(select, values, label) {
  const chosen = select.value;
  const placeholder = FILTERS.find(([name]) => name === select.name)[2];
  replace(select, h("option", { value: ALL }, placeholder), values.map((value) => h("option", { value }, label(value))));
  select.value = values.includes(chosen) ? chosen : ALL;
}

function actionLabel(action) {
  return format.capitalise(action.replaceAll(".", " "));
}

/** A step's value names → the labels people read (its inputs and calculations). */
function labelsOf(definition) {
  const specs = [...(definition?.inputs ?? []), ...(definition?.calculations ?? [])];
  return new Map(specs.filter((spec) => spec.label).map((spec) => [spec.name, spec.label]));
}

function entryTable(entries, stepTitles, fieldLabels) {
  return h(
    "table",
    { class: "list-table audit__entries" },
    h("caption", { class: "visually-hidden" }, "Audit trail entries, oldest first"),
    h("thead", {}, h("tr", {}, ["#", "Time (UTC)", "Actor", "Action", "Step", "Old value", "New value", "Reason"]
      .map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, entries.map((entry) => {
      const labels = fieldLabels.get(entry.step) ?? new Map();
      return h("tr", { "data-seq": entry.seq, "data-action": entry.action },
        h("td", { "data-label": "#" }, String(entry.chain_seq)),
        h("td", { "data-label": "Time (UTC)" }, utcTimeOf(entry.at)),
        h("td", { "data-label": "Actor" }, entry.actor),
        h("td", { "data-label": "Action" }, actionLabel(entry.action)),
        h("td", { "data-label": "Step" }, entry.step ? stepTitles.get(entry.step) ?? entry.step : "—"),
        h("td", { "data-label": "Old value", class: "audit__old" }, valueView(entry.old, entry.new, labels, entry.people)),
        h("td", { "data-label": "New value", class: "audit__new" }, valueView(entry.new, entry.old, labels, entry.people)),
        h("td", { "data-label": "Reason" }, entry.reason ?? "—"));
    })),
  );
}

/**
 * A value of the trail; in an object, the keys whose value differs from `other` are marked,
 * the step's value names read as their labels and people's ids as their names (`people`:
 * the entry's names by id, from the server).
 */
function valueView(value, other, labels, people = {}) {
  if (value === null || value === undefined) return h("span", { class: "muted" }, "—");
  if (typeof value !== "object" || Array.isArray(value)) return h("code", {}, text(value));
  const keys = Object.keys(value);
  if (!keys.length) return h("span", { class: "muted" }, "—");
  return h("dl", { class: "audit__value" }, keys.map((key) => {
    const changed = other && typeof other === "object" && JSON.stringify(other[key]) !== JSON.stringify(value[key]);
    return h("div", { class: ["audit__pair", changed && "audit__pair--changed"] },
      h("dt", {}, labels.get(key) ?? personKey(key, value[key], people)), h("dd", {}, shown(value[key], people)));
  }));
}

/** A person's id as their name (the id stays in the tooltip); anything else as code. */
function shown(value, people) {
  const name = typeof value === "string" && Object.hasOwn(people, value) ? people[value] : null;
  return name ? h("span", { class: "audit__person", title: value }, name) : h("code", {}, text(value));
}

/** `performer_id` → "Performer" when its value is a person. */
function personKey(key, value, people) {
  if (typeof value !== "string" || !Object.hasOwn(people, value)) return key;
  return format.capitalise(key.replace(/_(id|by)$/, (_, end) => (end === "by" ? " by" : "")).replaceAll("_", " "));
}

function text(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The verification as a badge (a picture, with its words for assistive technology). */
function chainBadge(report) {
  const ok = report.ok;
  const state = ok ? "intact" : `broken at ${report.first_break?.chain_seq ?? "?"}`;
  const entries = report.head?.chain_seq ?? 0;
  const words = ok
    ? `${entries} entries verified, ${report.sealed_seq} sealed.`
    : `Entry ${report.first_break?.chain_seq ?? "?"} or one before it was altered or removed.`;
  const left = 88;
  const right = 8 + state.length * 7;
  return h(
    "div",
    { class: "audit__verification", "data-ok": String(ok) },
    svg("svg", { class: "chain-badge", role: "img", "aria-label": `Audit chain ${state}`, width: left + right, height: 24, viewBox: `0 0 ${left + right} 24` },
      svg("rect", { width: left, height: 24, rx: 4, class: "chain-badge__label" }),
      svg("rect", { x: left - 4, width: right + 4, height: 24, rx: 4, class: ok ? "chain-badge__ok" : "chain-badge__broken" }),
      svg("text", { x: left / 2, y: 16, "text-anchor": "middle" }, "audit chain"),
      svg("text", { x: left + right / 2, y: 16, "text-anchor": "middle" }, state)),
    h("span", { class: "audit__verification-text" }, words),
  );
}
