// A small picture of a value against its limits: the hard range, the alert band inside it,
// and a marker at the value. People see where a value sits before they read the numbers.

import { svg } from "../dom.js";
import * as format from "../format.js";

const WIDTH = 240;
const BAR_Y = 12;
const BAR_H = 12;

/** Which band a number falls in: "ok", "alert" or "out"; null if it cannot be judged. */
export function classify(value, limits) {
  if (typeof value !== "number" || !limits) return null;
  const { min, max, alert_min: alertMin, alert_max: alertMax } = limits;
  if ((min != null && value < min) || (max != null && value > max)) return "out";
  if ((alertMin != null && value < alertMin) || (alertMax != null && value > alertMax)) return "alert";
  return "ok";
}

/** The range bar; `value` may be undefined (a pending step, or the procedure itself). */
export function rangeBar(limits, value, valueSpec = {}) {
  const spec = format.limitSpec(valueSpec, limits);
  const bounds = ["min", "alert_min", "alert_max", "max"]
    .map((name) => limits[name])
    .filter((bound) => typeof bound === "number");
  const hasValue = typeof value === "number" && Number.isFinite(value);
  const points = hasValue ? [...bounds, value] : bounds;
  let low = Math.min(...points);
  let high = Math.max(...points);
  const span = high - low || Math.abs(high) || 1;
  low -= span * 0.18;
  high += span * 0.18;
  const x = (v) => ((Math.min(Math.max(v, low), high) - low) / (high - low)) * WIDTH;

  const hardLow = limits.min ?? low;
  const hardHigh = limits.max ?? high;
  const okLow = limits.alert_min ?? hardLow;
  const okHigh = limits.alert_max ?? hardHigh;
  const band = (from, to, cls) =>
    svg("rect", { class: cls, x: x(from), y: BAR_Y, width: Math.max(x(to) - x(from), 0), height: BAR_H });

  const parts = [
    svg("rect", { class: "rb-reject", x: 0, y: BAR_Y, width: WIDTH, height: BAR_H, rx: 2 }),
    band(hardLow, hardHigh, "rb-alert"),
    band(okLow, okHigh, "rb-ok"),
  ];
  for (const name of ["min", "max"]) {
    if (typeof limits[name] === "number") {
      const at = x(limits[name]);
      parts.push(svg("line", { class: "rb-hard", x1: at, x2: at, y1: BAR_Y - 3, y2: BAR_Y + BAR_H + 3 }));
    }
  }
  let placed = -Infinity;
  for (const bound of [...new Set(bounds)].sort((a, b) => a - b)) {
    const at = x(bound);
    if (at - placed < 30) continue;
    placed = at;
    parts.push(
      svg("text", { class: "rb-label", x: at, y: BAR_Y + BAR_H + 14, "text-anchor": "middle" },
        format.limit(bound, spec.decimals)),
    );
  }
  if (hasValue) {
    const at = x(value);
    parts.push(
      svg("line", { class: "rb-marker", x1: at, x2: at, y1: BAR_Y - 4, y2: BAR_Y + BAR_H + 2 }),
      svg("path", { class: "rb-marker-head", d: `M${at - 6} 1h12l-6 7z` }),
    );
  }
  const label = describe(limits, value, valueSpec);
  return svg(
    "svg",
    {
      class: ["range-bar", hasValue && `range-bar--${classify(value, limits)}`],
      viewBox: `-8 0 ${WIDTH + 16} 42`,
      role: "img",
      "aria-label": label,
    },
    svg("title", {}, label),
    parts,
  );
}

/** The bar's words, for assistive technology and as its tooltip. */
export function describe(limits, value, valueSpec = {}) {
  const spec = format.limitSpec(valueSpec, limits);
  const hard = format.range(limits.min, limits.max, spec);
  const alert = format.range(limits.alert_min, limits.alert_max, spec);
  const ranges = [hard && `hard limits ${hard}`, alert && `alert limits ${alert}`].filter(Boolean).join(", ");
  if (typeof value !== "number") return `Limits: ${ranges}.`;
  const where = {
    ok: "within limits",
    alert: "in the alert band",
    out: "outside the hard limits",
  }[classify(value, limits)];
  return `${format.value(value, valueSpec)}: ${where}; ${ranges}.`;
}
