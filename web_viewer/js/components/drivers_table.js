// "Which parameter moved my outcome?": the parameters ranked by their association with the
// outcome, each correlation with its confidence interval drawn on a −1…1 bar, the p-value
// corrected for the number of parameters tested, and the multivariate coefficient.

import { h, svg } from "../dom.js";
import { chip } from "./status.js";

const BAR = { width: 140, height: 22 };

/** `drivers`: the normalised drivers answer (see analytics_data.js). */
export function driversTable(drivers) {
  const hasCoefficient = drivers.ranking.some((row) => typeof row.coefficient === "number");
  const headings = ["Rank", "Parameter", "Correlation (95 % CI)", "", "p (corrected)", "Verdict"];
  if (hasCoefficient) headings.splice(5, 0, "Std. coefficient");
  return h(
    "table",
    { class: "list-table drivers-table", id: "drivers-table" },
    h("caption", { class: "visually-hidden" }, `Parameters ranked by association with ${drivers.outcome.label ?? drivers.outcome.name}`),
    h("thead", {}, h("tr", {}, headings.map((title) =>
      h("th", { scope: "col" }, title || h("span", { class: "visually-hidden" }, "Correlation bar"))))),
    h("tbody", {}, drivers.ranking.map((row, index) =>
      h(
        "tr",
        { "data-parameter": row.parameter.name, "data-rank": index + 1 },
        h("td", { "data-label": "Rank" }, String(index + 1)),
        h("th", { scope: "row", "data-label": "Parameter" }, row.parameter.label ?? row.parameter.name,
          row.parameter.label && row.parameter.label !== row.parameter.name && h("code", { class: "muted drivers-table__name" }, row.parameter.name)),
        h("td", { "data-label": "Correlation" }, correlationText(row)),
        h("td", { "data-label": "" }, correlationBar(row)),
        h("td", { "data-label": "p (corrected)" }, pText(row.p_adjusted ?? row.p)),
        hasCoefficient && h("td", { "data-label": "Std. coefficient" }, typeof row.coefficient === "number" ? signed(row.coefficient, 2) : "—"),
        h("td", { "data-label": "Verdict" }, row.significant
          ? chip("warn", "alert", "Significant")
          : chip("neutral", "circle", "Not significant")),
      ))),
  );
}

function correlationText(row) {
  const [low, high] = row.ci ?? [];
  const r = typeof row.r === "number" ? signed(row.r, 2) : "—";
  return typeof low === "number" ? `${r} (${signed(low, 2)} to ${signed(high, 2)})` : r;
}

function correlationBar(row) {
  const at = (value) => ((value + 1) / 2) * BAR.width;
  const [low, high] = row.ci ?? [row.r, row.r];
  const mid = BAR.height / 2;
  return svg(
    "svg",
    { class: "corr-bar", viewBox: `-4 0 ${BAR.width + 8} ${BAR.height}`, "aria-hidden": "true", focusable: "false" },
    svg("line", { class: "corr-bar__axis", x1: 0, x2: BAR.width, y1: mid, y2: mid }),
    svg("line", { class: "corr-bar__zero", x1: at(0), x2: at(0), y1: 2, y2: BAR.height - 2 }),
    typeof low === "number" && svg("line", { class: "corr-bar__ci", x1: at(low), x2: at(high), y1: mid, y2: mid }),
    typeof row.r === "number" && svg("circle", { class: ["corr-bar__r", row.significant && "corr-bar__r--significant"], cx: at(row.r), cy: mid, r: 5 }),
  );
}

function pText(p) {
  if (typeof p !== "number") return "—";
  if (p < 0.001) return "< 0.001";
  return p.toFixed(3);
}

function signed(value, decimals) {
  const text = Math.abs(value).toFixed(decimals);
  return value < 0 ? `\u2212${text}` : text;
}
