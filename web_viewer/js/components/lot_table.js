// The lots in stock: number (to trace it), material, supplier lot, status as a word and an
// icon (quarantine, released, rejected), what is left, expiry.

import { h } from "../dom.js";
import * as format from "../format.js";
import { statusChip } from "./status.js";

export function lotTable(lots) {
  return h(
    "table",
    { class: "list-table lots-table" },
    h("caption", { class: "visually-hidden" }, "Lots"),
    h(
      "thead",
      {},
      h("tr", {}, ["Lot", "Material", "Supplier lot", "Status", "In stock", "Expiry"].map((title) => h("th", { scope: "col" }, title))),
    ),
    h(
      "tbody",
      {},
      lots.map((lot) =>
        h(
          "tr",
          { "data-lot": lot.lot_number, "data-status": lot.status },
          h("th", { scope: "row", "data-label": "Lot" },
            h("a", { class: "strong-link", href: `#/trace/lot/${encodeURIComponent(lot.lot_number)}`, title: "Trace this lot forward" }, lot.lot_number)),
          h("td", { "data-label": "Material" }, lot.material.name, h("span", { class: "muted" }, ` · ${lot.material.code}`)),
          h("td", { "data-label": "Supplier lot" }, lot.supplier_lot, h("span", { class: "muted" }, ` · ${lot.supplier}`)),
          h("td", { "data-label": "Status" }, statusChip("lot", lot.status)),
          h("td", { "data-label": "In stock" }, format.withUnit(String(lot.quantity), lot.unit)),
          h("td", { "data-label": "Expiry" }, h("time", { datetime: lot.expiry }, format.day(lot.expiry))),
        ),
      ),
    ),
  );
}
