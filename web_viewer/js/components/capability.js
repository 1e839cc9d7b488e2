// Capability of a parameter against its two-sided specification: Cpk (within-batch spread,
// from the moving range) and Ppk (overall spread), with the server's words on them (or on
// why they are not given).

import { h } from "../dom.js";
import { icon } from "./icons.js";

/** `trend`: the normalised trend (see analytics_data.js). */
export function capabilityFigures(trend) {
  const { capability } = trend;
  const figures = [
    ["Cpk", figure(capability.cpk)],
    ["Ppk", figure(capability.ppk)],
    ["Batches", String(capability.batches)],
    ["Mean", figure(trend.mean, 4)],
    ["σ within (moving range)", figure(trend.sigmaWithin, 4)],
    ["σ overall", figure(trend.sigmaOverall, 4)],
  ];
  return h(
    "div",
    { class: "capability", id: "capability" },
    h("dl", { class: "facts capability__figures" }, figures.map(([term, detail]) =>
      h("div", { class: "facts__item", "data-figure": term }, h("dt", {}, term), h("dd", {}, detail)))),
    capability.message && h("p", { class: "notice notice--info capability__message" }, icon("info"), h("span", {}, capability.message)),
  );
}

function figure(value, digits = 2) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  return digits === 2 ? value.toFixed(2) : String(Number(value.toPrecision(digits)));
}
