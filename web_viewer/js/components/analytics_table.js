// The batches × parameters table of a procedure: one row per batch, its facts, then every
// recorded parameter and outcome. Sortable by any column (a button in each heading, with
// aria-sort saying the order); scrolls sideways inside its own focusable region.

import { h, replace } from "../dom.js";
import * as format from "../format.js";
import { statusChip } from "./status.js";

const FACTS = [
  { key: "batch_number", title: "Batch", value: (row) => row.batch_number },
  { key: "version", title: "Version", value: (row) => row.version },
  { key: "status", title: "Status", value: (row) => row.status },
  { key: "completed_at", title: "Completed", value: (row) => row.completed_at ?? "" },
  { key: "deviations", title: "Deviations", value: (row) => row.deviations },
];

/** `table`: the normalised table answer (see analytics_data.js). Answers the wrapper element. */
export function analyticsTable(table) {
  const columns = [
    ...FACTS,
    ...table.columns.map((column) => ({
      key: `value:${column.name}`,
      title: column.label ?? column.name,
      column,
      value: (row) => row.values[column.name],
    })),
  ];
  const sort = { key: "batch_number", descending: false };
  const wrap = h("div", {
    class: "table-wrap analytics-table-wrap",
    role: "region",
    "aria-labelledby": "analytics-table-caption",
    tabindex: "0",
  });

  function render() {
    const column = columns.find((candidate) => candidate.key === sort.key);
    const rows = [...table.rows].sort((a, b) => compare(column.value(a), column.value(b), sort.descending));
    replace(wrap, h(
      "table",
      { class: "list-table analytics-table", id: "analytics-table" },
      h("caption", { id: "analytics-table-caption", class: "visually-hidden" },
        `Batches and their recorded values, sorted by ${column.title}, ${sort.descending ? "descending" : "ascending"}`),
      h("thead", {}, h("tr", {}, columns.map((candidate) => heading(candidate)))),
      h("tbody", {}, rows.map((row) => h(
        "tr",
        { "data-batch": row.batch_number },
        h("th", { scope: "row", "data-label": "Batch" },
          h("a", { class: "strong-link", href: `#/batches/${encodeURIComponent(row.batch_id)}` }, row.batch_number)),
        h("td", { "data-label": "Version" }, String(row.version ?? "—")),
        h("td", { "data-label": "Status" }, statusChip("batch", row.status)),
        h("td", { "data-label": "Completed" }, row.completed_at
          ? h("time", { datetime: row.completed_at }, format.date(row.completed_at)) : "—"),
        h("td", { "data-label": "Deviations", class: "num" }, String(row.deviations ?? 0)),
        table.columns.map((spec) => h("td", { class: "num", "data-label": spec.label ?? spec.name },
          format.value(row.values[spec.name], { decimals: spec.decimals }))),
      ))),
    ));
  }

  function heading(candidate) {
    const active = candidate.key === sort.key;
    const spec = candidate.column;
    return h(
      "th",
      {
        scope: "col",
        class: [spec && "num", spec?.outcome && "analytics-table__outcome"],
        "aria-sort": active ? (sort.descending ? "descending" : "ascending") : null,
      },
      h(
        "button",
        {
          type: "button",
          class: "sort-button",
          "data-sort": candidate.key,
          onClick: () => {
            sort.descending = active ? !sort.descending : false;
            sort.key = candidate.key;
            const focused = candidate.key;
            render();
            wrap.querySelector(`[data-sort="${CSS.escape(focused)}"]`)?.focus();
          },
        },
        h("span", {}, candidate.title),
        spec?.unit && h("span", { class: "sort-button__unit" }, spec.unit),
        spec?.outcome && h("span", { class: "sort-button__unit" }, "outcome"),
        h("span", { class: "sort-button__arrow", "aria-hidden": "true" }, active ? (sort.descending ? "▼" : "▲") : "↕"),
      ),
    );
  }

  render();
  return wrap;
}

/** Numbers numerically, anything else as text; missing values last either way. */
function compare(a, b, descending) {
  const missingA = a === null || a === undefined || a === "";
  const missingB = b === null || b === undefined || b === "";
  if (missingA || missingB) return missingA - missingB;
  const order = typeof a === "number" && typeof b === "number"
    ? a - b
    : String(a).localeCompare(String(b), "en", { numeric: true });
  return descending ? -order : order;
}
