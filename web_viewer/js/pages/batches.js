// The batch list: status, progress and current step of every batch, filterable; live.

import { api, unlessUnreachable } from "../api.js";
import { append, h, replace } from "../dom.js";
import * as format from "../format.js";
import { icon } from "../components/icons.js";
import { progressBar } from "../components/progress.js";
import { chip, statusChip } from "../components/status.js";
import { isQa } from "../roles.js";

const STATUSES = [
  ["", "All statuses"],
  ["created", "Created"],
  ["in_progress", "In progress"],
  ["completed", "Completed"],
  ["on_hold", "On hold"],
  ["released", "Released"],
  ["rejected", "Rejected"],
];

export async function show(ctx) {
  ctx.setTitle("Batches");
  ctx.setSection("batches");
  let status = STATUSES.some(([value]) => value === ctx.query.get("status")) ? ctx.query.get("status") : "";
  let search = ctx.query.get("q") ?? "";
  let batches = [];

  const statusSelect = h(
    "select",
    {
      id: "filter-status",
      name: "status",
      onChange: () => {
        status = statusSelect.value;
        history.replaceState(null, "", filterHash(status, search));
        load().catch(ctx.reportError);
      },
    },
    STATUSES.map(([value, label]) => h("option", { value, selected: value === status }, label)),
  );
  const searchInput = h("input", {
    id: "filter-search",
    name: "q",
    type: "search",
    value: search,
    placeholder: "e.g. STW101-C-0001",
    onInput: () => {
      search = searchInput.value;
      history.replaceState(null, "", filterHash(status, search));
      renderRows();
    },
  });
  const count = h("p", { class: "list-count", role: "status" });
  const body = h("div", { class: "table-wrap" });

  append(ctx.main, 
    h(
      "div",
      { class: "page-head" },
      h("div", {}, h("h1", { tabindex: "-1" }, "Batches"), h("p", { class: "page-lead" }, "Every batch with its status and progress. This list updates live.")),
      ctx.user.can.create_batches &&
        h("a", { class: "button button--primary", href: "#/batches/new" }, icon("plus"), "New batch"),
    ),
    h(
      "form",
      { class: "filters", role: "search", "aria-label": "Filter batches", onSubmit: (event) => event.preventDefault() },
      h("div", { class: "field field--inline" }, h("label", { class: "field__label", for: "filter-status" }, "Status"), statusSelect),
      h("div", { class: "field field--inline field--grow" }, h("label", { class: "field__label", for: "filter-search" }, "Batch number or procedure"), searchInput),
    ),
    count,
    body,
  );

  function renderRows() {
    const needle = search.trim().toLowerCase();
    const shown = batches.filter(
      (batch) =>
        !needle ||
        batch.batch_number.toLowerCase().includes(needle) ||
        batch.procedure.title.toLowerCase().includes(needle) ||
        batch.procedure.key.toLowerCase().includes(needle),
    );
    count.textContent = `${shown.length} ${shown.length === 1 ? "batch" : "batches"}${needle || status ? " match the filter" : ""}`;
    if (shown.length === 0) {
      replace(body, h("div", { class: "empty" }, icon("batches"), h("p", {}, batches.length ? "No batch matches the filter." : "No batches yet.")));
      return;
    }
    replace(body, table(shown, isQa(ctx.user)));
  }

  let loading = null;
  let again = false;
  async function load() {
    if (loading) {
      again = true;
      return;
    }
    loading = (async () => {
      do {
        again = false;
        const list = await api.get(status ? `/batches?status=${encodeURIComponent(status)}` : "/batches");
        if (!ctx.isCurrent()) return;
        batches = list;
        renderRows();
      } while (again);
    })();
    try {
      await loading;
    } finally {
      loading = null;
    }
  }

  await load();
  const follow = () => load().catch(unlessUnreachable(ctx.reportError));
  return ctx.live.watch(["batches"], { onEvent: follow, onResync: follow });
}

function filterHash(status, search) {
  const params = new URLSearchParams();
  if (status) params.set("status", status);
  if (search) params.set("q", search);
  const query = params.toString();
  return `#/batches${query ? `?${query}` : ""}`;
}

function table(batches, reviews) {
  return h(
    "table",
    { class: "list-table batches-table" },
    h("caption", { class: "visually-hidden" }, "Batches"),
    h(
      "thead",
      {},
      h("tr", {}, ["Batch number", "Procedure", "Status", "Open deviations", "Progress", "Current step", "Created", reviews && "Review"]
        .filter(Boolean).map((title) => h("th", { scope: "col" }, title))),
    ),
    h(
      "tbody",
      {},
      batches.map((batch) =>
        h(
          "tr",
          { "data-batch": batch.id },
          h("th", { scope: "row", "data-label": "Batch number" }, h("a", { class: "strong-link", href: `#/batches/${encodeURIComponent(batch.id)}` }, batch.batch_number)),
          h("td", { "data-label": "Procedure" }, batch.procedure.title, h("span", { class: "muted" }, ` · v${batch.procedure.version}`)),
          h("td", { "data-label": "Status" }, statusChip("batch", batch.status)),
          h("td", { "data-label": "Open deviations" }, openDeviations(batch.open_deviations)),
          h("td", { "data-label": "Progress" }, progressBar(batch.progress)),
          h("td", { "data-label": "Current step" }, batch.current_step ? (batch.current_step_title ?? batch.current_step) : h("span", { class: "muted" }, "—")),
          h("td", { "data-label": "Created" }, h("time", { datetime: batch.created_at, title: batch.created_at }, format.dateTime(batch.created_at))),
          reviews && h("td", { "data-label": "Review" }, batch.status !== "created" &&
            h("a", { href: `#/batches/${encodeURIComponent(batch.id)}/review`, "aria-label": `Review batch ${batch.batch_number}` }, "Review")),
        ),
      ),
    ),
  );
}

/** The open (or investigating) deviations of a batch: a warning chip, or a quiet "None". */
function openDeviations(count) {
  if (count === undefined || count === null) return h("span", { class: "muted" }, "—");
  if (count === 0) return h("span", { class: "muted" }, "None");
  return chip("warn", "alert", `${count} open`, { "data-open-deviations": count });
}
