// Process analytics of one procedure: the batches × parameters table, the control chart and
// capability of a chosen parameter, and which parameters moved a chosen outcome.

import { append, h, replace } from "../dom.js";
import * as data from "../analytics_data.js";
import { analyticsTable } from "../components/analytics_table.js";
import { capabilityFigures } from "../components/capability.js";
import { controlChart, ruleName, rulesText } from "../components/control_chart.js";
import { driversTable } from "../components/drivers_table.js";
import { icon } from "../components/icons.js";
import { scatterChart } from "../components/scatter_chart.js";

const TOP_SCATTERS = 3;

export async function show(ctx) {
  ctx.setSection("analytics");
  const [key] = ctx.params;
  const state = {
    includeAll: ctx.query.get("include") === "all",
    parameter: ctx.query.get("parameter") ?? "",
    outcome: ctx.query.get("outcome") ?? "",
  };
  const table = await data.table(key, state.includeAll);
  if (!ctx.isCurrent()) return null;
  ctx.setTitle(`Analytics: ${table.title}`);

  const parameters = table.columns.filter((column) => !column.outcome);
  const outcomes = table.columns.filter((column) => column.outcome);
  if (!table.columns.some((column) => column.name === state.parameter)) {
    // A parameter every batch recorded alike (a fixed batch size) makes a flat, empty chart.
    state.parameter = (parameters.find((column) => varies(table, column.name)) ?? parameters[0] ?? table.columns[0])?.name ?? "";
  }
  if (!outcomes.some((column) => column.name === state.outcome)) state.outcome = outcomes[0]?.name ?? "";

  const trendBody = h("div", { class: "analytics-section__body", id: "trend" });
  const driversBody = h("div", { class: "analytics-section__body", id: "drivers" });
  const remember = () => history.replaceState(null, "", hashOf(key, state));

  append(
    ctx.main,
    h("a", { class: "back-link", href: "#/analytics" }, icon("back"), "All procedures"),
    h("div", { class: "page-head" }, h("div", {},
      h("p", { class: "eyebrow" }, "Process analytics"),
      h("h1", { tabindex: "-1" }, table.title),
      h("p", { class: "page-lead", id: "analytics-summary" }, summaryOf(table)))),
    tableSection(key, table, state, () => {
      // A new address, so the page reads everything again for the other set of batches.
      ctx.navigate(hashOf(key, { ...state, includeAll: !state.includeAll }));
    }),
    h("section", { class: "panel analytics-section", "aria-labelledby": "trend-title" },
      h("div", { class: "analytics-section__head" },
        h("h2", { id: "trend-title" }, "Control chart"),
        picker("trend-parameter", "Parameter", table.columns, state.parameter, (name) => {
          state.parameter = name;
          remember();
          showTrend().catch(ctx.reportError);
        })),
      trendBody),
    h("section", { class: "panel analytics-section", "aria-labelledby": "drivers-title" },
      h("div", { class: "analytics-section__head" },
        h("h2", { id: "drivers-title" }, "Which parameters moved the outcome?"),
        outcomes.length > 0 && picker("drivers-outcome", "Outcome", outcomes, state.outcome, (name) => {
          state.outcome = name;
          remember();
          showDrivers().catch(ctx.reportError);
        })),
      driversBody),
  );

  /** Read one section's answer for the current choice and draw it, unless the choice moved on. */
  async function fill(body, chosen, emptyText, read, draw) {
    const wanted = chosen();
    if (!wanted) {
      replace(body, empty(emptyText));
      return;
    }
    body.setAttribute("aria-busy", "true");
    const answer = await read(wanted);
    if (!ctx.isCurrent() || chosen() !== wanted) return;
    body.removeAttribute("aria-busy");
    replace(body, draw(answer));
  }

  const showTrend = () => fill(trendBody, () => state.parameter, "This procedure records no numbers.",
    (name) => data.trend(key, name, state.includeAll),
    (trend) => trendView(key, trend, state.includeAll));

  const showDrivers = () => fill(driversBody, () => state.outcome,
    "No recorded number of this procedure is marked as a quality attribute (cqa: true).",
    (name) => data.drivers(key, name, state.includeAll),
    (drivers) => {
      ctx.announce(drivers.ranking.length
        ? `Drivers of ${drivers.outcome.label}: ${drivers.ranking[0].parameter.label} ranks first.`
        : drivers.messages.join(" "));
      return driversView(key, drivers, table, state.includeAll);
    });

  await Promise.all([showTrend(), showDrivers()]);
  return null;
}

function hashOf(key, state) {
  const query = new URLSearchParams();
  if (state.includeAll) query.set("include", "all");
  if (state.parameter) query.set("parameter", state.parameter);
  if (state.outcome) query.set("outcome", state.outcome);
  return `#/analytics/${encodeURIComponent(key)}?${query}`;
}

function summaryOf(table) {
  const count = `${table.rows.length} ${table.rows.length === 1 ? "batch" : "batches"}`;
  return table.includeAll
    ? `${count}, every status. Parameters and outcomes recorded in each batch record.`
    : `${count} completed or released. Parameters and outcomes recorded in each batch record.`;
}

function tableSection(key, table, state, onToggle) {
  return h(
    "section",
    { class: "panel analytics-section", "aria-labelledby": "table-title" },
    h("div", { class: "analytics-section__head" },
      h("h2", { id: "table-title" }, "Batches"),
      h("div", { class: "analytics-section__tools" },
        h("label", { class: "check" },
          h("input", { type: "checkbox", id: "include-all", checked: state.includeAll, onChange: onToggle }),
          h("span", {}, "Include unfinished batches")),
        h("a", { class: "button", id: "table-csv", href: data.tableCsvUrl(key, state.includeAll), download: `${key}-analytics.csv` },
          icon("download"), "Download CSV"))),
    table.rows.length
      ? analyticsTable(table)
      : empty(state.includeAll ? "No batches of this procedure yet." : "No completed or released batches of this procedure yet."),
  );
}

function picker(id, label, columns, selected, onPick) {
  const labels = columns.map((column) => column.label ?? column.name);
  const control = h("select", { id, onChange: () => onPick(control.value) },
    columns.map((column, index) => {
      const unit = column.unit ? ` (${column.unit})` : "";
      // Two numbers may share a label (hardness at the start and at the end): name them.
      const name = labels.indexOf(labels[index]) !== labels.lastIndexOf(labels[index]) ? ` · ${column.name}` : "";
      return h("option", { value: column.name, selected: column.name === selected }, `${labels[index]}${unit}${name}`);
    }));
  return h("div", { class: "field field--inline" }, h("label", { class: "field__label", for: id }, label), control);
}

/** Whether the batches recorded more than one value of `name`. */
function varies(table, name) {
  const values = new Set(table.rows.map((row) => row.values[name]).filter((value) => typeof value === "number"));
  return values.size > 1;
}

function trendView(key, trend, includeAll) {
  if (trend.points.length === 0) return [empty("No batch recorded this number yet.")];
  const flagged = trend.points.filter((point) => point.rules.length);
  return [
    h("figure", { class: "chart-figure" },
      h("div", { class: "chart-scroll" }, controlChart(trend)),
      h("figcaption", { class: "chart-legend" },
        legend("mean", "Mean"), legend("control", "Control limits (±3σ)"),
        legend("spec", "Specification limits"), legend("alert", "Alert limits"),
        legend("flagged", "Flagged by a Nelson rule"))),
    chartLinks(data.trendChartUrl(key, trend.parameter.name, includeAll), "control chart"),
    h("h3", {}, "Capability"),
    capabilityFigures(trend),
    h("h3", {}, "Flagged points"),
    flagged.length
      ? h("ul", { class: "flagged-list", id: "flagged-points" }, flagged.map((point) =>
        h("li", { "data-batch": point.batch_number },
          h("a", { class: "strong-link", href: `#/batches/${encodeURIComponent(point.batch_id)}` }, point.batch_number),
          " ", h("span", {}, rulesText(point.rules)))))
      : h("p", { class: "muted", id: "flagged-points" }, "No Nelson rule fired: the process looks in statistical control."),
    trend.rules.length > 0 && h("dl", { class: "rule-notes" }, trend.rules.map((rule) =>
      h("div", {}, h("dt", {}, ruleName(rule.rule)), h("dd", {}, `${rule.description} (${rule.batches.length} ${rule.batches.length === 1 ? "point" : "points"})`)))),
  ];
}

function driversView(key, drivers, table, includeAll) {
  const top = drivers.ranking.filter((row) => typeof row.r === "number").slice(0, TOP_SCATTERS);
  const byName = new Map(table.columns.map((column) => [column.name, column]));
  const outcome = byName.get(drivers.outcome.name) ?? drivers.outcome;
  return [
    drivers.messages.length > 0 && h("div", { class: "notice notice--info drivers-messages", id: "drivers-messages" },
      icon("info"), h("ul", {}, drivers.messages.map((message) => h("li", {}, message)))),
    drivers.ranking.length > 0 && h("div", { class: "table-wrap" }, driversTable(drivers)),
    h("p", { class: "muted drivers-method" }, methodOf(drivers)),
    drivers.ranking.length > 0 && chartLinks(data.driversChartUrl(key, drivers.outcome.name, includeAll), "drivers chart"),
    top.length > 0 && h("h3", {}, `${outcome.label ?? outcome.name} against the top parameters`),
    top.length > 0 && h("div", { class: "scatter-grid" }, top.map((row) => {
      const parameter = byName.get(row.parameter.name) ?? row.parameter;
      return h("figure", { class: "chart-figure", "data-parameter": parameter.name },
        scatterChart(pairsOf(table, parameter.name, outcome.name), parameter, outcome),
        h("figcaption", { class: "chart-caption" }, `r = ${row.r.toFixed(2)} over ${row.batches} batches. `,
          chartLinks(data.scatterChartUrl(key, outcome.name, parameter.name, includeAll), `scatter of ${parameter.label ?? parameter.name}`)));
    })),
  ];
}

function methodOf(drivers) {
  const parts = [`Pearson correlation with a 95 % confidence interval; p corrected by ${drivers.correction ?? "the number of parameters tested"}.`];
  if (drivers.model) {
    parts.push(`Standardised coefficients: ${drivers.model.method}, ${drivers.model.parameters} parameters, R² ${drivers.model.r2.toFixed(2)}.`);
  }
  parts.push("An association, not proof of cause.");
  return parts.join(" ");
}

/** The batches that recorded both numbers, as scatter points. */
function pairsOf(table, x, y) {
  return table.rows
    .filter((batch) => typeof batch.values[x] === "number" && typeof batch.values[y] === "number")
    .map((batch) => ({ batch_id: batch.batch_id, batch_number: batch.batch_number, x: batch.values[x], y: batch.values[y] }));
}

function chartLinks(url, what) {
  const link = (format) => h("a", {
    href: `${url}${url.includes("?") ? "&" : "?"}format=${format}`,
    download: "",
    "aria-label": `${format.toUpperCase()} of the ${what}`,
  }, format.toUpperCase());
  return h("p", { class: "chart-links" }, h("span", { class: "muted" }, "For a report:"), " ", link("svg"), " · ", link("png"));
}

function legend(kind, text) {
  return h("span", { class: "chart-legend__item" }, h("span", { class: `chart-legend__key chart-legend__key--${kind}`, "aria-hidden": "true" }), text);
}

function empty(text) {
  return h("div", { class: "empty" }, icon("info"), h("p", {}, text));
}
