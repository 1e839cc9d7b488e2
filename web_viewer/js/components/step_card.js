// One step as the operator sees it; with a batch record, also what happened to it.

import { h } from "../dom.js";
import * as format from "../format.js";
import { dispenseTable } from "./dispense.js";
import { icon } from "./icons.js";
import { deviationCard, signatureList, timeOf } from "./record_parts.js";
import { statusChip } from "./status.js";
import { valuesTable } from "./values_table.js";

/**
 * `definition`: the step of the procedure; `record`: its batch step (optional);
 * `titles`: step id → title, to name the step a verification or hold refers to.
 */
export function stepCard({ definition, record, number, titles }) {
  const deviations = record?.deviations ?? [];
  const rows = [
    ...(definition.inputs ?? []).map((spec) => ({ spec, calculated: false })),
    ...(definition.calculations ?? []).map((spec) => ({ spec, calculated: true })),
  ];
  return h(
    "li",
    {
      class: ["step", record && `step--${record.state}`, deviations.length && "step--deviation"],
      id: `step-${definition.id}`,
      "data-step": definition.id,
    },
    h(
      "div",
      { class: "step__head" },
      h("span", { class: "step__number", "aria-hidden": "true" }, String(number)),
      h(
        "div",
        { class: "step__titles" },
        h("h3", { class: "step__title", id: `step-${definition.id}-title` },
          h("span", { class: "visually-hidden" }, `Step ${number}: `), definition.title),
        h("span", { class: "step__kind" }, format.KIND_LABELS[definition.kind] ?? definition.kind),
      ),
      record && h("span", { class: "step__state" }, statusChip("step", record.state)),
    ),
    definition.instruction && h("p", { class: "step__instruction" }, definition.instruction),
    rules(definition, titles),
    valuesTable(rows, record),
    definition.dispense && dispenseTable(definition.dispense, record),
    record?.comment && h("p", { class: "step__comment" }, h("span", { class: "label" }, "Comment: "), record.comment),
    deviations.length > 0 &&
      h("div", { class: "step__deviations" }, deviations.map((d) =>
        // The justification is the step's comment: shown once, above.
        deviationCard(d, { showComment: d.comment !== record.comment }))),
    record && footer(record),
  );
}

function rules(definition, titles) {
  const items = [];
  if (definition.when) {
    items.push(rule("branch", "Only when ", h("code", {}, definition.when), "; skipped otherwise."));
  }
  if (definition.kind === "verification") {
    const who = format.roles(definition.verifier_roles);
    items.push(
      rule("eye", `Verifies “${titles.get(definition.verifies) ?? definition.verifies}”: signed by ${who}, not by the performer.`),
    );
  }
  if (definition.signature) {
    items.push(rule("shield", `E-signature required (${definition.signature}).`));
  }
  if (definition.hold) {
    const { after, min_minutes: low, max_minutes: high } = definition.hold;
    const span = [low != null && `at least ${low} min`, high != null && `at most ${high} min`].filter(Boolean).join(" and ");
    items.push(rule("clock", `Hold: ${span} after “${titles.get(after) ?? after}”.`));
  }
  const roles = definition.roles ?? [];
  if (roles.length && roles.join() !== "operator,supervisor") {
    items.push(rule("user", `Performed by: ${format.roles(roles)}.`));
  }
  return items.length ? h("ul", { class: "rules" }, items) : null;
}

function rule(iconName, ...text) {
  return h("li", { class: "rule" }, icon(iconName), h("span", {}, ...text));
}

function footer(record) {
  let who = null;
  if (record.state === "completed") {
    who = h(
      "p",
      { class: "step__who" },
      icon("user"),
      h("span", {}, `Completed by ${record.completed_by?.full_name ?? "unknown"} (${record.completed_by?.username ?? "?"}), `, timeOf(record.completed_at)),
    );
  } else if (record.state === "active") {
    who = h("p", { class: "step__who" }, icon("clock"), h("span", {}, "Waiting for the operator since ", timeOf(record.activated_at)));
  } else if (record.state === "skipped") {
    who = h("p", { class: "step__who" }, icon("skip"), h("span", {}, "Skipped: its condition was not met."));
  }
  const signatures = signatureList(record.signatures);
  const again = record.needs_reverification &&
    h("p", { class: "step__reverify" }, icon("alert"), h("span", {}, "Needs verification again: the verified values were corrected."));
  if (!who && !signatures) return null;
  return h("div", { class: "step__footer" }, who, signatures, again);
}
