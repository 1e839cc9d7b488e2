// An outcome against one parameter, a point per batch (each a link to its batch record): the
// picture behind a correlation in the drivers ranking.

import { svg } from "../dom.js";
import * as format from "../format.js";
import { MARGIN, chartSvg, frame, scale, ticks, tickLabel } from "./chart_frame.js";

const SMALL = { width: 360, height: 260 };

/** `pairs`: [{batch_id, batch_number, x, y}]; `xSpec`, `ySpec`: {name, label, unit}. */
export function scatterChart(pairs, xSpec, ySpec) {
  const width = SMALL.width;
  const height = SMALL.height;
  const right = width - 24;
  const x = scale(pairs.map((pair) => pair.x), MARGIN.left, right);
  const y = scale(pairs.map((pair) => pair.y), height - MARGIN.bottom, MARGIN.top);
  const xTicks = ticks(x.low, x.high, 4).map((value) => [x(value), tickLabel(value)]);
  const label = `${titleOf(ySpec)} against ${titleOf(xSpec)}, ${pairs.length} batches`;
  return chartSvg(
    { label, className: "scatter-chart", width, height },
    svg("title", {}, label),
    frame({ y, yTitle: titleOf(ySpec, true), xTitle: titleOf(xSpec, true), width, height, right, xTicks }),
    pairs.map((pair) => {
      const text = `Batch ${pair.batch_number}: ${labelOf(xSpec)} ${format.value(pair.x, xSpec)}, `
        + `${labelOf(ySpec)} ${format.value(pair.y, ySpec)}`;
      return svg(
        "a",
        // Out of the tab order: three scatters of every batch would be hundreds of stops, and
        // the table above links every batch; a click or a screen reader still follows it.
        { class: "chart__point-link", href: `#/batches/${encodeURIComponent(pair.batch_id)}`, "aria-label": text, tabindex: "-1" },
        svg("title", {}, text),
        svg("circle", { class: "chart__hit", cx: x(pair.x), cy: y(pair.y), r: 8 }),
        svg("circle", { class: "chart__point", cx: x(pair.x), cy: y(pair.y), r: 3.5 }),
      );
    }),
  );
}

function labelOf(spec) {
  return spec.label ?? spec.name;
}

function titleOf(spec, withUnit = false) {
  return withUnit && spec.unit ? `${labelOf(spec)} (${spec.unit})` : labelOf(spec);
}
