// A dispense step: the target quantity and its tolerance, the net weight with where it came
// from (a typed weight is flagged), the balance and source lot scanned, and the new container.

import { h } from "../dom.js";
import * as format from "../format.js";
import { icon } from "./icons.js";
import { labelLinks } from "./labels.js";
import { rangeBar } from "./range_bar.js";
import { sourceChip } from "./sources.js";

/** "1.0 %", as the procedure and the server's messages write a tolerance. */
function tolerance(percent) {
  return `± ${Number.isInteger(percent) ? percent.toFixed(1) : String(percent)} %`;
}

/**
 * The dispense of a step as a table; with `record` (a batch step) the recorded facts and the
 * target the server worked out for this batch, else what the operator will be asked for.
 */
export function dispenseTable(dispense, record) {
  const spec = { unit: dispense.unit, decimals: dispense.decimals };
  const target = record?.dispense_target ?? null;
  const names = {
    net: dispense.name,
    balance: `${dispense.name}_balance`,
    lot: `${dispense.name}_lot`,
    container: `${dispense.name}_container`,
  };
  const values = record?.values ?? {};
  const sources = record?.sources ?? {};
  const deviations = record?.deviations ?? [];
  const has = (name) => Object.hasOwn(values, name);
  const missing = () =>
    h("span", { class: "muted" }, record?.state === "skipped" ? "Not applicable" : "Not recorded yet");

  function row(key, label, note, cell, fields = []) {
    const marked = deviations.filter((d) => fields.includes(d.field));
    return h(
      "tr",
      {
        class: [marked.length && "row--deviation", key === "net" && sources[names.net] === "manual" && "row--manual"],
        "data-name": names[key] ?? key,
        "data-part": key,
      },
      h("th", { scope: "row", class: "values__item", "data-label": "Item" },
        h("span", { class: "values__label" }, label), note),
      h(
        "td",
        { class: "values__value", "data-label": record ? "Recorded value" : "Expected entry" },
        h("div", { class: "dispense__cell" },
          cell,
          marked.map((d) => h("span", { class: "values__deviation" }, icon("alert"), `Deviation ${d.number}`))),
      ),
    );
  }

  const targetCell = target
    ? [
        h("span", { class: "value" }, `${format.withUnit(format.number(target.quantity, spec.decimals), spec.unit)} ${tolerance(dispense.tolerance_percent)}`),
        h("span", { class: "dispense__window" }, `Allowed ${format.range(target.low, target.high, spec)}`),
      ]
    : h("span", {}, h("code", {}, dispense.target), ` ${dispense.unit} ${tolerance(dispense.tolerance_percent)}`);

  let netCell;
  if (record && has(names.net)) {
    const manual = sources[names.net] === "manual";
    netCell = [
      h("span", { class: "value" }, format.value(values[names.net], spec)),
      h("span", { class: "dispense__source" }, sourceChip(sources[names.net])),
      manual && h("span", { class: "dispense__manual" }, "Typed by hand, not read from the balance."),
      target && rangeBar({ min: target.low, max: target.high }, values[names.net], spec),
    ];
  } else {
    netCell = record ? missing() : h("span", {}, "Read from the balance; a typed weight is flagged as manual");
  }

  const scanned = (name, shown) =>
    record && has(name) ? [shown, h("span", { class: "dispense__source" }, sourceChip(sources[name]))] : null;

  const balanceCell = scanned(names.balance, h("span", { class: "value code-value" }, String(values[names.balance])))
    ?? (record ? missing() : h("span", {}, `Scan the ${String(dispense.balance_type ?? "balance").replaceAll("_", " ")}`));

  const lotCode = String(values[names.lot] ?? "");
  const lotCell = scanned(names.lot,
    h("a", { class: "value code-value", href: `#/trace/lot/${encodeURIComponent(lotCode)}`, title: `Trace ${lotCode}` }, lotCode))
    ?? (record ? missing() : h("span", {}, `Scan a lot of ${dispense.material}`));

  const containerCode = String(values[names.container] ?? "");
  const containerCell = record && has(names.container)
    ? [h("span", { class: "value code-value" }, containerCode), labelLinks("container", containerCode)]
    : record ? missing() : h("span", {}, "A new container, labelled when the step is completed");

  return h(
    "table",
    { class: ["values", "values--plain", "dispense", record && "values--recorded"] },
    h("caption", { class: "visually-hidden" }, record ? "Dispensed material" : "Material to dispense"),
    h("thead", {}, h("tr", {}, ["Item", record ? "Recorded value" : "Expected entry"].map((title) => h("th", { scope: "col" }, title)))),
    h(
      "tbody",
      {},
      row("target", "Target", h("span", { class: "values__note" }, icon("calc"), "Calculated: ", h("code", {}, dispense.target)), targetCell),
      row("net", "Net quantity", h("span", { class: "values__note" }, h("code", {}, dispense.name)), netCell, [names.net]),
      row("balance", "Balance", null, balanceCell, ["balance", names.balance]),
      row("lot", "Source lot", h("span", { class: "values__note" }, `Material ${dispense.material}`), lotCell, ["lot", names.lot]),
      row("container", "Container", null, containerCell, [names.container]),
    ),
  );
}
