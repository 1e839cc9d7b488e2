// A procedure version, rendered as the operator will see it in a batch.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import * as format from "../format.js";
import { icon } from "../components/icons.js";
import { signatureList, timeOf } from "../components/record_parts.js";
import { statusChip } from "../components/status.js";
import { stepCard } from "../components/step_card.js";

export async function show(ctx) {
  ctx.setSection("procedures");
  const [key, versionNumber] = ctx.params;
  const version = await api.get(`/procedures/${encodeURIComponent(key)}/versions/${versionNumber}`);
  if (!ctx.isCurrent()) return;
  const definition = version.definition;
  ctx.setTitle(`${version.title}, version ${version.version}`);
  const titles = new Map(definition.operations.flatMap((operation) => operation.steps.map((step) => [step.id, step.title])));
  const facts = [
    ["Key", h("code", {}, version.key)],
    definition.product && ["Product", definition.product],
    definition.stage && ["Stage", format.capitalise(definition.stage)],
    ["Source file", version.source_name],
    ["Loaded", timeOf(version.created_at)],
    ["Approved", approvalOf(version)],
    ["Content SHA-256", h("code", { class: "hash" }, version.content_hash)],
  ].filter(Boolean);
  let number = 0;
  append(ctx.main, 
    h("a", { class: "back-link", href: "#/procedures" }, icon("back"), "All procedures"),
    h(
      "header",
      { class: "batch-head" },
      h("div", { class: "batch-head__top" },
        h("div", {},
          h("p", { class: "eyebrow" }, `Procedure, version ${version.version}`),
          h("h1", { tabindex: "-1", class: "batch-head__title" }, version.title)),
        h("div", { class: "batch-head__status" }, statusChip("version", version.status))),
      definition.description && h("p", { class: "page-lead" }, definition.description),
      h("dl", { class: "facts" }, facts.map(([term, detail]) => h("div", { class: "facts__item" }, h("dt", {}, term), h("dd", {}, detail)))),
    ),
    parameters(definition.parameters ?? []),
    definition.operations.map((operation, index) =>
      h(
        "section",
        { class: "operation", "aria-labelledby": `op-${operation.id}` },
        h("h2", { class: "operation__title", id: `op-${operation.id}` },
          h("span", { class: "operation__index" }, `Operation ${index + 1}`), operation.title),
        h("ol", { class: "steps" }, operation.steps.map((step) => {
          number += 1;
          return stepCard({ definition: step, number, titles });
        })),
      ),
    ),
  );
}

function parameters(list) {
  if (list.length === 0) return null;
  return h(
    "section",
    { class: "panel", "aria-labelledby": "parameters-title" },
    h("h2", { id: "parameters-title" }, "Batch parameters"),
    h(
      "table",
      { class: "list-table" },
      h("thead", {}, h("tr", {}, ["Parameter", "Unit", "Allowed", "Default"].map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, list.map((parameter) =>
        h("tr", {},
          h("th", { scope: "row", "data-label": "Parameter" }, parameter.label, " ", h("code", { class: "muted" }, parameter.name)),
          h("td", { "data-label": "Unit" }, parameter.unit ?? "—"),
          h("td", { "data-label": "Allowed" }, format.range(parameter.limits?.min, parameter.limits?.max, parameter) || "Any"),
          h("td", { "data-label": "Default" }, parameter.default == null ? "—" : format.value(parameter.default, parameter))))),
    ),
  );
}

/** The approving e-signature's manifestation (name, date and time in UTC, meaning). */
function approvalOf(version) {
  if (version.approval) return signatureList([version.approval]);
  return version.approved_at ? timeOf(version.approved_at) : "Not approved";
}
