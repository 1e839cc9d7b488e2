// Deviations across batches, newest first, filtered by status, severity and batch.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import * as format from "../format.js";
import { icon } from "../components/icons.js";
import { PagedList } from "../components/paged_list.js";
import { statusChip } from "../components/status.js";

const STATUSES = [["", "All statuses"], ["open", "Open"], ["investigating", "Investigating"], ["closed", "Closed"], ["cancelled", "Cancelled"]];
const SEVERITIES = [["", "All severities"], ["minor", "Minor"], ["major", "Major"], ["critical", "Critical"]];

export async function show(ctx) {
  ctx.setTitle("Deviations");
  ctx.setSection("deviations");
  const filters = {
    status: pick(STATUSES, ctx.query.get("status")),
    severity: pick(SEVERITIES, ctx.query.get("severity")),
    batch_id: ctx.query.get("batch_id") ?? "",
  };
  // The batch filter offers the batches with open deviations (and the one asked for), not
  // every batch ever made.
  const batches = await api.getAll("/batches?open_deviations=true");
  if (filters.batch_id && !batches.some((batch) => batch.id === filters.batch_id)) {
    batches.push(await api.get(`/batches/${encodeURIComponent(filters.batch_id)}`).catch(() => null));
  }
  if (!ctx.isCurrent()) return;
  const batchOptions = [["", "All batches"], ...batches.filter(Boolean).map((batch) => [batch.id, batch.batch_number])];
  if (!batchOptions.some(([value]) => value === filters.batch_id)) filters.batch_id = "";

  const list = new PagedList({
    render: table,
    empty: (filtered) => h("div", { class: "empty" }, icon("check"), h("p", {}, filtered ? "No deviation matches the filter." : "No deviations yet.")),
    nouns: ["deviation", "deviations"],
    onError: ctx.reportError,
  });
  const select = (name, label, options) => {
    const control = h("select", { id: `filter-${name}`, name, onChange: () => {
      filters[name] = control.value;
      history.replaceState(null, "", hashOf(filters));
      load().catch(ctx.reportError);
    } }, options.map(([value, text]) => h("option", { value, selected: value === filters[name] }, text)));
    return h("div", { class: "field field--inline" }, h("label", { class: "field__label", for: control.id }, label), control);
  };

  append(
    ctx.main,
    h("div", { class: "page-head" }, h("div", {},
      h("h1", { tabindex: "-1" }, "Deviations"),
      h("p", { class: "page-lead" }, "Every departure from a procedure, newest first, with its investigation state."))),
    h("form", { class: "filters", role: "search", "aria-label": "Filter deviations", onSubmit: (event) => event.preventDefault() },
      select("status", "Status", STATUSES), select("severity", "Severity", SEVERITIES), select("batch_id", "Batch", batchOptions)),
    ...list.parts,
  );

  function load() {
    const query = new URLSearchParams(Object.entries(filters).filter(([, value]) => value)).toString();
    return list.load(`/deviations${query ? `?${query}` : ""}`, { filtered: Boolean(query) });
  }

  await load();
  return null;
}

function pick(options, value) {
  return options.some(([known]) => known === value) ? value : "";
}

function hashOf(filters) {
  const query = new URLSearchParams(Object.entries(filters).filter(([, value]) => value)).toString();
  return `#/deviations${query ? `?${query}` : ""}`;
}

function table(deviations) {
  return h(
    "table",
    { class: "list-table deviations-table" },
    h("caption", { class: "visually-hidden" }, "Deviations"),
    h("thead", {}, h("tr", {}, ["Number", "Deviation", "Batch", "Severity", "Status", "Opened"].map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, deviations.map((deviation) => h(
      "tr",
      { "data-deviation": deviation.id },
      h("th", { scope: "row", "data-label": "Number" },
        h("a", { class: "strong-link", href: `#/deviations/${encodeURIComponent(deviation.id)}` }, deviation.number)),
      h("td", { "data-label": "Deviation" }, deviation.title,
        deviation.blocking && h("span", { class: "muted" }, " · blocking")),
      h("td", { "data-label": "Batch" },
        h("a", { href: `#/batches/${encodeURIComponent(deviation.batch_id)}` }, deviation.batch_number ?? deviation.batch_id)),
      h("td", { "data-label": "Severity" }, statusChip("severity", deviation.severity)),
      h("td", { "data-label": "Status" }, statusChip("deviation", deviation.status)),
      h("td", { "data-label": "Opened" }, h("time", { datetime: deviation.opened_at, title: deviation.opened_at }, format.dateTime(deviation.opened_at))),
    ))),
  );
}
