// Production orders from the ERP (supervisors, administrators): what to make, by which
// procedure, with which lots, a page at a time; a supervisor starts a planned order's batch.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import * as format from "../format.js";
import { icon } from "../components/icons.js";
import { PagedList } from "../components/paged_list.js";
import { refusalMessage } from "../components/refusal.js";
import { statusChip } from "../components/status.js";
import { startsOrders } from "../roles.js";

const STATUSES = [
  ["", "All statuses"],
  ["planned", "Planned"],
  ["started", "Started"],
  ["completed", "Completed"],
];

export async function show(ctx) {
  ctx.setTitle("Orders");
  ctx.setSection("orders");
  let status = STATUSES.some(([value]) => value === ctx.query.get("status")) ? ctx.query.get("status") : "";
  const refusal = refusalMessage("order-refusal");
  const starts = startsOrders(ctx.user);
  const list = new PagedList({
    render: (orders) => table(orders, starts && ((order, button) => start(order, button))),
    empty: (filtered) => h("div", { class: "empty" }, icon("box"), h("p", {}, filtered ? "No order matches the filter." : "No orders yet.")),
    nouns: ["order", "orders"],
    onError: ctx.reportError,
  });
  const statusSelect = h(
    "select",
    {
      id: "filter-order-status",
      name: "status",
      onChange: () => {
        status = statusSelect.value;
        history.replaceState(null, "", `#/orders${status ? `?status=${status}` : ""}`);
        load().catch(ctx.reportError);
      },
    },
    STATUSES.map(([value, label]) => h("option", { value, selected: value === status }, label)),
  );

  append(
    ctx.main,
    h("div", { class: "page-head" },
      h("div", {},
        h("h1", { tabindex: "-1" }, "Orders"),
        h("p", { class: "page-lead" }, "Production orders from the ERP, newest first. Starting one creates its batch."))),
    refusal.element,
    h("form", { class: "filters", role: "search", "aria-label": "Filter orders", onSubmit: (event) => event.preventDefault() },
      h("div", { class: "field field--inline" }, h("label", { class: "field__label", for: "filter-order-status" }, "Status"), statusSelect)),
    ...list.parts,
  );

  function load() {
    return list.load(`/orders${status ? `?status=${status}` : ""}`, { filtered: Boolean(status) });
  }

  async function start(order, button) {
    refusal.clear();
    button.disabled = true;
    try {
      const started = await api.post(`/orders/${encodeURIComponent(order.id)}/start`);
      ctx.announce(`Started batch ${started.batch_number} from order ${started.order_number}.`);
      ctx.navigate(`#/batches/${encodeURIComponent(started.batch_id)}`);
    } catch (error) {
      if (error?.status === 401) return;
      button.disabled = false;
      refusal.show(error);
      refusal.element.scrollIntoView?.({ block: "nearest" });
    }
  }

  await load();
}

function table(orders, start) {
  const titles = ["Order", "Product", "Procedure", "Planned quantity", "Batch", "Status", "Reserved materials", start && "Action"];
  return h("table", { class: "list-table", id: "orders-table" },
    h("caption", { class: "visually-hidden" }, "Production orders"),
    h("thead", {}, h("tr", {}, titles.filter(Boolean).map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, orders.map((order) =>
      h("tr", { "data-order": order.order_number },
        h("th", { scope: "row", "data-label": "Order" }, order.order_number,
          h("span", { class: "muted" }, ` · ${format.dateTime(order.created_at)}`)),
        h("td", { "data-label": "Product" }, order.product),
        h("td", { "data-label": "Procedure" }, order.procedure, order.version !== null && h("span", { class: "muted" }, ` · v${order.version}`)),
        h("td", { "data-label": "Planned quantity" }, format.withUnit(order.planned_quantity, order.unit)),
        h("td", { "data-label": "Batch" }, order.batch_id
          ? h("a", { class: "strong-link", href: `#/batches/${encodeURIComponent(order.batch_id)}` }, order.batch_number)
          : order.batch_number),
        h("td", { "data-label": "Status" }, statusChip("order", order.status)),
        h("td", { "data-label": "Reserved materials" }, materials(order.materials)),
        start && h("td", { "data-label": "Action" }, order.status === "planned" && startButton(order, start)),
      ))));
}

function startButton(order, start) {
  const button = h("button", {
    type: "button",
    class: "button button--primary",
    "aria-label": `Start batch ${order.batch_number} from order ${order.order_number}`,
    onClick: () => start(order, button),
  }, icon("play"), "Start batch");
  return button;
}

function materials(reserved) {
  if (!reserved.length) return h("span", { class: "muted" }, "None");
  return h("ul", { class: "order-materials" }, reserved.map((item) =>
    h("li", {}, `${item.material}: ${format.withUnit(item.quantity, item.unit)}`,
      item.lot_number && h("span", { class: "muted" }, ` (lot ${item.lot_number})`))));
}
