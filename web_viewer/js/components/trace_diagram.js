// A trace drawn as a picture: one column per level, a box per lot, container or batch with
// its number and what it is in words (the material, the procedure, the step), and lines from
// each box to the boxes below it. The nested list beside it keeps every detail and link; the
// picture shows at a glance how far a lot reached.

import { h, svg } from "../dom.js";

const BOX = { width: 244, height: 58, column: 284, row: 70 };
const KIND_WORDS = { lot: "Lot", container: "Container", batch: "Batch", supplier_lot: "Supplier lot" };
const USE_WORDS = { used: "used at", dispensed: "dispensed at", produced: "made at" };
const MAX_CHARS = 34;

/** The tree below `root` as an SVG picture; `label` describes it for assistive technology. */
export function traceDiagram(root, { label }) {
  const placed = [];
  let leaves = 0;
  const place = (node, depth) => {
    const children = (node.children ?? []).map((child) => place(child, depth + 1));
    const row = children.length ? (children[0].row + children[children.length - 1].row) / 2 : leaves++;
    const item = { node, depth, row, children };
    placed.push(item);
    return item;
  };
  place(root, 0);
  const depth = Math.max(...placed.map((item) => item.depth));
  const levels = new Set(placed.filter((item) => item.node.kind === "batch").map((item) => item.depth)).size;
  const width = (depth + 1) * BOX.column - (BOX.column - BOX.width) + 2;
  const height = leaves * BOX.row - (BOX.row - BOX.height) + 2;
  const x = (item) => 1 + item.depth * BOX.column;
  const y = (item) => 1 + item.row * BOX.row;
  const lines = placed.flatMap((item) => item.children.map((child) => {
    const fromX = x(item) + BOX.width;
    const fromY = y(item) + BOX.height / 2;
    const toX = x(child);
    const toY = y(child) + BOX.height / 2;
    const middle = (fromX + toX) / 2;
    return svg("path", { class: "trace-diagram__line", d: `M${fromX},${fromY} H${middle} V${toY} H${toX}` });
  }));
  const boxes = placed.map((item) => box(item.node, x(item), y(item)));
  const title = `${label}: ${placed.length} ${placed.length === 1 ? "item" : "items"}, ${levels} ${levels === 1 ? "batch level" : "batch levels"}`;
  return h(
    "div",
    // Focusable, so a keyboard can scroll a picture wider than the page.
    { class: "trace-diagram", tabindex: 0, role: "group", "aria-label": `${label}, scroll sideways to see it all` },
    svg(
      "svg",
      { class: "trace-diagram__svg", role: "img", "aria-label": title, width, height, viewBox: `0 0 ${width} ${height}`, "data-levels": levels },
      svg("title", {}, title),
      ...lines,
      ...boxes,
    ),
  );
}

function box(node, left, top) {
  const words = KIND_WORDS[node.kind] ?? node.kind;
  const detail = node.detail ?? {};
  const step = detail.step && `${USE_WORDS[detail.use] ?? detail.use} ${detail.step}`;
  const lines = [`${words} ${node.code}`, node.label, step || node.status.replaceAll("_", " ")];
  return svg(
    "g",
    { class: ["trace-diagram__node", `trace-diagram__node--${node.kind}`], "data-kind": node.kind, "data-code": node.code, transform: `translate(${left},${top})` },
    svg("title", {}, lines.join(", ")),
    svg("rect", { class: "trace-diagram__box", width: BOX.width, height: BOX.height, rx: 6 }),
    svg("text", { class: "trace-diagram__code", x: 10, y: 18 }, short(lines[0])),
    svg("text", { class: "trace-diagram__label", x: 10, y: 34 }, short(lines[1])),
    svg("text", { class: "trace-diagram__step", x: 10, y: 50 }, short(lines[2])),
  );
}

function short(text) {
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text;
}
