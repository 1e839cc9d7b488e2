// The inputs and calculations of a step: recorded values against their limits, with the
// value history of anything changed after its first entry.

import { h } from "../dom.js";
import * as format from "../format.js";
import { icon } from "./icons.js";
import { classify, rangeBar } from "./range_bar.js";
import { sourceChip } from "./sources.js";
import { chip, statusChip } from "./status.js";

/**
 * A table of `rows` ({spec, calculated}); `record` (a batch step) adds values, results,
 * history and deviations; without it the table shows what the operator will be asked.
 */
export function valuesTable(rows, record) {
  if (rows.length === 0) return null;
  const recorded = Boolean(record);
  // Tick boxes and scans have no limits: two columns say all there is to say.
  const judged = rows.some(({ spec }) => spec.limits);
  const head = ["Item", recorded ? "Recorded value" : "Expected entry", judged && "Limits", judged && recorded && "Result"]
    .filter(Boolean)
    .map((title) => h("th", { scope: "col" }, title));
  return h(
    "table",
    { class: ["values", recorded && "values--recorded", !judged && "values--plain"] },
    h("caption", { class: "visually-hidden" }, recorded ? "Recorded values" : "Inputs and calculations"),
    h("thead", {}, h("tr", {}, head)),
    h("tbody", {}, rows.map((row) => valueRow(row, record, judged))),
  );
}

function valueRow({ spec, calculated }, record, judged) {
  const source = calculated ? record?.calculated : record?.values;
  const has = source ? Object.hasOwn(source, spec.name) : false;
  const value = has ? source[spec.name] : undefined;
  const deviations = (record?.deviations ?? []).filter((d) => d.field === spec.name);
  const result = has ? classify(value, spec.limits) : null;
  const cells = [
    h("th", { scope: "row", class: "values__item", "data-label": "Item" }, itemCell(spec, calculated)),
    h(
      "td",
      { class: "values__value", "data-label": record ? "Recorded value" : "Expected entry" },
      record ? recordedCell(spec, value, has, record) : expectedCell(spec),
    ),
  ];
  if (judged) cells.push(h("td", { class: "values__limits", "data-label": "Limits" }, limitsCell(spec, value)));
  if (judged && record) {
    cells.push(h("td", { class: "values__result", "data-label": "Result" },
      h("div", { class: "values__result-inner" }, resultCell(result, has, deviations))));
  }
  return h(
    "tr",
    {
      class: [deviations.length && "row--deviation", result && `row--${result}`],
      "data-name": spec.name,
    },
    cells,
  );
}

function itemCell(spec, calculated) {
  return [
    h("span", { class: "values__label" }, spec.label),
    calculated && h("span", { class: "values__note" }, icon("calc"), "Calculated: ", h("code", {}, spec.expression)),
    spec.required === false && h("span", { class: "values__note" }, "Optional"),
  ];
}

function expectedCell(spec) {
  if (spec.expression !== undefined) return h("span", { class: "muted" }, format.withUnit("Calculated", spec.unit));
  const types = {
    number: () => (spec.unit ? `Number in ${spec.unit}` : "Number"),
    text: () => "Text",
    boolean: () => "Yes / No",
    choice: () => `One of: ${(spec.choices ?? []).join(" · ")}`,
    photo: () => "Photo",
    scan: () => {
      const wants = spec.expects ?? {};
      return wants.kind === "material"
        ? `Scan a lot of ${wants.material}`
        : `Scan ${String(wants.type ?? "equipment").replaceAll("_", " ")}`;
    },
  };
  return h("span", {}, (types[spec.type] ?? (() => spec.type))());
}

function recordedCell(spec, value, has, record) {
  if (!has) return h("span", { class: "muted" }, record.state === "skipped" ? "Not applicable" : "Not recorded yet");
  const history = record.history
    .filter((entry) => entry.name === spec.name)
    .sort((a, b) => a.revision - b.revision);
  const parts = [shownValue(value, spec), sourceChip(record.sources?.[spec.name])];
  if (history.length > 1) {
    parts.push(
      chip("info", "pencil", "Changed after first entry"),
      h(
        "ol",
        { class: "history", "aria-label": `Value history of ${spec.label}` },
        history.map((entry, index) =>
          h(
            "li",
            { class: index === history.length - 1 ? "history__current" : "history__old" },
            index === history.length - 1
              ? h("span", { class: "value" }, format.value(entry.value, spec))
              : h("del", { class: "value" }, format.value(entry.value, spec)),
            h(
              "span",
              { class: "history__who" },
              `${index === 0 ? "entered" : "corrected"} by ${entry.entered_by?.full_name ?? "?"}, `,
              h("time", { datetime: entry.entered_at, title: entry.entered_at }, format.dateTime(entry.entered_at)),
            ),
            entry.reason && h("span", { class: "history__reason" }, `Reason: ${entry.reason}`),
          ),
        ),
      ),
    );
  }
  return parts;
}

function shownValue(value, spec) {
  if (spec.type === "scan" && spec.expects?.kind === "material" && typeof value === "string") {
    // A scanned lot (or container of one): follow it to its trace.
    return h("a", { class: "value strong-link", href: `#/trace/lot/${encodeURIComponent(value)}`, title: `Trace ${value}` }, value);
  }
  if (typeof value === "boolean") {
    return h("span", { class: ["value", "value--boolean", value ? "value--yes" : "value--no"] },
      icon(value ? "check" : "ban"), value ? "Yes" : "No");
  }
  return h("span", { class: "value" }, format.value(value, spec));
}

function limitsCell(spec, value) {
  const limits = spec.limits;
  if (!limits) return h("span", { class: "muted" }, "No limits");
  const shown = format.limitSpec(spec, limits);
  const hard = format.range(limits.min, limits.max, shown);
  const alert = format.range(limits.alert_min, limits.alert_max, shown);
  return [
    rangeBar(limits, value, spec),
    h(
      "dl",
      { class: "limits" },
      hard && [h("dt", {}, "Hard"), h("dd", {}, hard)],
      alert && [h("dt", {}, "Alert"), h("dd", {}, alert)],
    ),
  ];
}

function resultCell(result, has, deviations) {
  const parts = [];
  if (result) parts.push(statusChip("result", result));
  else if (has) parts.push(h("span", { class: "muted" }, "Recorded"));
  for (const deviation of deviations) {
    parts.push(h("span", { class: "values__deviation" }, icon("alert"), `Deviation ${deviation.number}`));
  }
  return parts.length ? parts : h("span", { class: "muted" }, "—");
}
