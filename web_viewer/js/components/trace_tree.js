// A trace as a tree of boxes joined by lines, every level: lot → batches → containers and
// the lots they made → ... (forward), or batch → containers → lots → the batches that made
// them or supplier lots → ... (backward). Each box says what it is in words
// and an icon, its status as a text badge, and links to where it can be followed further.

import { h } from "../dom.js";
import * as format from "../format.js";
import { icon } from "./icons.js";
import { labelThumbnail } from "./labels.js";
import { sourceChip } from "./sources.js";
import { chip, statusChip } from "./status.js";

const KINDS = {
  lot: ["layers", "Lot"],
  container: ["box", "Container"],
  batch: ["batches", "Batch"],
  supplier_lot: ["truck", "Supplier lot"],
};

/** The tree whose root is `root` (a trace node); `label` names it for assistive technology. */
export function traceTree(root, { label }) {
  return h("ul", { class: "trace-tree", "aria-label": label }, treeItem(root, true));
}

function treeItem(node, isRoot) {
  const children = node.children ?? [];
  return h(
    "li",
    { class: "trace-tree__item" },
    nodeBox(node, isRoot),
    children.length > 0 && h("ul", { class: "trace-tree__children" }, children.map((child) => treeItem(child, false))),
  );
}

function nodeBox(node, isRoot) {
  const [iconName, kindText] = KINDS[node.kind] ?? ["circle", format.capitalise(node.kind)];
  const withLabel = node.kind === "lot" || node.kind === "container";
  return h(
    "div",
    { class: ["trace-node", `trace-node--${node.kind}`, isRoot && "trace-node--root"], "data-kind": node.kind, "data-code": node.code },
    h(
      "div",
      { class: "trace-node__body" },
      h(
        "p",
        { class: "trace-node__head" },
        icon(iconName, "trace-node__icon"),
        h("span", { class: "trace-node__kind" }, kindText),
        h("span", { class: "trace-node__code" }, code(node, isRoot)),
        badge(node),
      ),
      h("p", { class: "trace-node__label" }, node.label),
      facts(node),
      node.kind === "batch" && !isRoot &&
        h("p", { class: "trace-node__more" },
          h("a", { href: `#/trace/batch/${encodeURIComponent(node.code)}` }, icon("trace"), "Backward trace",
            h("span", { class: "visually-hidden" }, ` of batch ${node.code}`))),
    ),
    withLabel && labelThumbnail(node.kind, node.code),
  );
}

function code(node, isRoot) {
  if (node.kind === "batch") {
    return h("a", { class: "strong-link", href: `#/batches/${encodeURIComponent(node.id)}`, title: "Open the batch record" }, node.code);
  }
  if (node.kind === "lot" && !isRoot) {
    return h("a", { class: "strong-link", href: `#/trace/lot/${encodeURIComponent(node.code)}`, title: "Trace this lot forward" }, node.code);
  }
  return node.code;
}

function badge(node) {
  if (node.kind === "container") {
    return sourceChip(node.detail?.source) ?? chip("neutral", "box", "Dispensed");
  }
  return statusChip(node.kind, node.status);
}

function facts(node) {
  const detail = node.detail ?? {};
  const quantity = detail.quantity !== undefined ? format.withUnit(detail.quantity, detail.unit) : null;
  const items = {
    lot: [
      ["Material", detail.material],
      ["Expiry", detail.expiry && format.day(detail.expiry)],
      ["In stock", quantity],
      [detail.use === "produced" ? "Made at" : "Step", detail.step],
    ],
    container: [["Quantity", quantity], ["Step", detail.step]],
    batch: [
      ["Procedure", detail.procedure && `${detail.procedure}, version ${detail.version}`],
      ["Step", detail.step],
    ],
    supplier_lot: [["Received", detail.received_at && format.date(detail.received_at)]],
  }[node.kind] ?? [];
  const shown = items.filter(([, value]) => value);
  if (shown.length === 0) return null;
  return h("dl", { class: "trace-node__facts" },
    shown.map(([term, value]) => h("div", { class: "trace-node__fact" }, h("dt", {}, term), h("dd", {}, value))));
}
