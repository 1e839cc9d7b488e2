// The batch list: status, progress and current step of each batch, newest first, a page at
// a time, filtered by status and batch number on the server; live.

import { unlessUnreachable } from "../api.js";
import { append, h } from "../dom.js";
import * as format from "../format.js";
import { icon } from "../components/icons.js";
import { PagedList } from "../components/paged_list.js";
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
  const list = new PagedList({
    render: (batches) => table(batches, isQa(ctx.user)),
    empty: (filtered) => h("div", { class: "empty" }, icon("batches"), h("p", {}, filtered ? "No batch matches the filter." : "No batches yet.")),
    nouns: ["batch", "batches"],
    onError: ctx.reportError,
  });

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
      load().catch(ctx.reportError);
    },
  });

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
      h("div", { class: "field field--inline field--grow" }, h("label", { class: "field__label", for: "filter-search" }, "Batch number starts with"), searchInput),
    ),
    ...list.parts,
  );

  /** The first page for the filters (`keep`: as many rows as are shown, for a live refresh). */
  function load({ keep = false } = {}) {
    const params = new URLSearchParams();
    if (status) params.set("status", status);
    if (search.trim()) params.set("batch_number", search.trim());
    const query = params.toString();
    return list.load(`/batches${query ? `?${query}` : ""}`, { filtered: Boolean(query), keep });
  }

  await load();
  const follow = () => load({ keep: true }).catch(unlessUnreachable(ctx.reportError));
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
