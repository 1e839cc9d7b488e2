// The individuals control chart of one parameter across batches: its values in batch order,
// the centre line and ±3σ control limits, the specification (hard) and alert limits, and the
// points a Nelson rule flagged. Every point links to its batch record.

import { svg } from "../dom.js";
import * as format from "../format.js";
import { HEIGHT, MARGIN, WIDTH, chartSvg, frame, scale } from "./chart_frame.js";

const LINES = [
  ["max", "Spec max", "chart__limit--spec"],
  ["min", "Spec min", "chart__limit--spec"],
  ["alert_max", "Alert max", "chart__limit--alert"],
  ["alert_min", "Alert min", "chart__limit--alert"],
  ["ucl", "UCL", "chart__limit--control"],
  ["lcl", "LCL", "chart__limit--control"],
  ["mean", "Mean", "chart__limit--mean"],
];

/**
 * `trend`: {parameter: {name, label, unit}, points: [{batch_id, batch_number, value, rules}],
 * mean, ucl, lcl, limits: {min, max, alert_min, alert_max}} (see analytics_data.js).
 */
export function controlChart(trend) {
  const { points, parameter } = trend;
  const levels = {
    ...Object.fromEntries(["min", "max", "alert_min", "alert_max"].map((name) => [name, trend.limits?.[name]])),
    mean: trend.mean,
    ucl: trend.ucl,
    lcl: trend.lcl,
  };
  const shownLines = LINES.filter(([name]) => typeof levels[name] === "number");
  const y = scale([...points.map((point) => point.value), ...shownLines.map(([name]) => levels[name])],
    HEIGHT - MARGIN.bottom, MARGIN.top);
  const left = MARGIN.left + 12;
  const right = WIDTH - MARGIN.right - 12;
  const x = (index) => (points.length < 2 ? (left + right) / 2 : left + (index / (points.length - 1)) * (right - left));
  const every = Math.max(1, Math.ceil(points.length / 10));
  const xTicks = points
    .map((point, index) => [index, point])
    .filter(([index]) => index % every === 0)
    .map(([index]) => [x(index), String(index + 1)]);
  const unit = parameter.unit ? ` (${parameter.unit})` : "";
  const flagged = points.filter((point) => point.rules.length).length;
  const label = `Control chart of ${parameter.label ?? parameter.name} over ${points.length} batches; `
    + `${flagged} ${flagged === 1 ? "point" : "points"} flagged by a Nelson rule.`;
  return chartSvg(
    { label, className: "control-chart" },
    svg("title", {}, label),
    frame({ y, yTitle: `${parameter.label ?? parameter.name}${unit}`, xTitle: "Batch (in order)", xTicks }),
    limitLines(shownLines, levels, y),
    svg("polyline", {
      class: "chart__series",
      points: points.map((point, index) => `${x(index)},${y(point.value)}`).join(" "),
      "aria-hidden": "true",
    }),
    points.map((point, index) => pointLink(point, x(index), y(point.value), parameter)),
  );
}

function limitLines(lines, levels, y) {
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;
  const labels = spreadLabels(lines.map(([name]) => y(levels[name])));
  return svg(
    "g",
    { "aria-hidden": "true" },
    lines.map(([name, title, cls], index) =>
      svg("g", { class: ["chart__limit", cls], "data-line": name },
        svg("line", { x1: left, x2: right, y1: y(levels[name]), y2: y(levels[name]) }),
        svg("text", { class: "chart__limit-label", x: right + 6, y: labels[index], "dominant-baseline": "middle" },
          `${title} ${limitLabel(levels[name])}`))),
  );
}

/** A limit as read on the chart: four significant digits (the JSON keeps them all). */
function limitLabel(value) {
  return String(Number(value.toPrecision(4)));
}

/** Label positions near their lines, at least 12 px apart. */
function spreadLabels(positions) {
  const order = positions.map((at, index) => [at, index]).sort((a, b) => a[0] - b[0]);
  const placed = new Array(positions.length);
  let last = -Infinity;
  for (const [at, index] of order) {
    last = Math.max(at, last + 12);
    placed[index] = last;
  }
  return placed;
}

function pointLink(point, cx, cy, parameter) {
  const value = format.value(point.value, parameter);
  const rules = point.rules.length ? `; flagged by ${rulesText(point.rules)}` : "";
  const text = `Batch ${point.batch_number}: ${value}${rules}`;
  const mark = point.rules.length
    ? svg("path", { class: "chart__point chart__point--flagged", d: `M${cx} ${cy - 7}l7 7-7 7-7-7z` })
    : svg("circle", { class: "chart__point", cx, cy, r: 4 });
  return svg(
    "a",
    {
      class: "chart__point-link",
      href: `#/batches/${encodeURIComponent(point.batch_id)}`,
      "aria-label": text,
      "data-batch": point.batch_number,
      "data-flagged": point.rules.length ? "true" : null,
    },
    svg("title", {}, text),
    // A larger invisible target, so the point is easy to hit.
    svg("circle", { class: "chart__hit", cx, cy, r: 10 }),
    mark,
  );
}

/** "Nelson rule 2" for a Nelson rule number. */
export function ruleName(rule) {
  return `Nelson rule ${rule}`;
}

/** "Nelson rule 2", "Nelson rules 2, 5 and 6": the rules a point tripped. */
export function rulesText(rules) {
  if (rules.length === 1) return ruleName(rules[0]);
  return `Nelson rules ${rules.slice(0, -1).join(", ")} and ${rules.at(-1)}`;
}
