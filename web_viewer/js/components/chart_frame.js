// What every analytics chart shares: linear scales with round ticks, the plot area and its
// axes. Charts are SVG drawn from the API's JSON, styled by CSS classes (no inline styles).

import { svg } from "../dom.js";

export const WIDTH = 720;
export const HEIGHT = 300;
export const MARGIN = { top: 16, right: 96, bottom: 40, left: 64 };

/** Round tick values covering low..high (about `count` of them). */
export function ticks(low, high, count = 5) {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw);
  const first = Math.ceil(low / step) * step;
  const values = [];
  for (let value = first; value <= high + step * 1e-9; value += step) values.push(Number(value.toPrecision(12)));
  return values;
}

/** A linear scale from the data range [low, high] (padded by 8 %) onto [from, to]. */
export function scale(values, from, to) {
  const finite = values.filter((value) => typeof value === "number" && Number.isFinite(value));
  let low = Math.min(...finite);
  let high = Math.max(...finite);
  if (!finite.length) [low, high] = [0, 1];
  const pad = (high - low) * 0.08 || Math.abs(high) * 0.1 || 1;
  low -= pad;
  high += pad;
  const map = (value) => from + ((value - low) / (high - low)) * (to - from);
  map.low = low;
  map.high = high;
  return map;
}

/** The plot area's box, the y axis with ticks and grid, and the axis titles. */
export function frame({ y, yTitle, xTitle, width = WIDTH, height = HEIGHT, right = width - MARGIN.right, xTicks = [] }) {
  const left = MARGIN.left;
  const bottom = height - MARGIN.bottom;
  return svg(
    "g",
    { class: "chart__frame", "aria-hidden": "true" },
    ticks(y.low, y.high).map((value) =>
      svg("g", {},
        svg("line", { class: "chart__grid", x1: left, x2: right, y1: y(value), y2: y(value) }),
        svg("text", { class: "chart__tick", x: left - 8, y: y(value), "text-anchor": "end", "dominant-baseline": "middle" },
          tickLabel(value)))),
    xTicks.map(([at, label]) =>
      svg("text", { class: "chart__tick", x: at, y: bottom + 18, "text-anchor": "middle" }, label)),
    svg("line", { class: "chart__axis", x1: left, x2: right, y1: bottom, y2: bottom }),
    svg("line", { class: "chart__axis", x1: left, x2: left, y1: MARGIN.top, y2: bottom }),
    yTitle && svg("text", { class: "chart__title", x: 14, y: (MARGIN.top + bottom) / 2, "text-anchor": "middle",
      transform: `rotate(-90 14 ${(MARGIN.top + bottom) / 2})` }, yTitle),
    xTitle && svg("text", { class: "chart__title", x: (left + right) / 2, y: height - 4, "text-anchor": "middle" }, xTitle),
  );
}

/** A tick or limit label: short, without float noise. */
export function tickLabel(value) {
  return String(Number(value.toPrecision(6)));
}

/** The chart's <svg>: a labelled group whose points may be links. */
export function chartSvg({ label, className, width = WIDTH, height = HEIGHT }, ...children) {
  return svg(
    "svg",
    { class: ["chart", className], viewBox: `0 0 ${width} ${height}`, role: "group", "aria-label": label },
    children,
  );
}
