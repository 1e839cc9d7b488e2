// Traceability: search a lot (forward: where it went, and which batches a recall would reach)
// or a batch (backward: what went into it, down to the supplier lots); the lots to pick from.

import { api } from "../api.js";
import { append, h, replace } from "../dom.js";
import * as format from "../format.js";
import { receivesLots } from "../roles.js";
import { field } from "../components/forms.js";
import { icon } from "../components/icons.js";
import { lotTable } from "../components/lot_table.js";
import { PagedList } from "../components/paged_list.js";
import { receiveLotForm } from "../components/receive_lot.js";
import { statusChip } from "../components/status.js";
import { traceDiagram } from "../components/trace_diagram.js";
import { traceTree } from "../components/trace_tree.js";

const KINDS = [
  ["lot", "Lot or container (forward)", "e.g. MCC-2611-01"],
  ["batch", "Batch (backward)", "e.g. STW101-C-0001"],
];
const STATUSES = [
  ["", "All statuses"],
  ["quarantine", "Quarantine"],
  ["released", "Released"],
  ["rejected", "Rejected"],
];

export async function show(ctx) {
  ctx.setSection("trace");
  const [kind, ref] = ctx.params;
  if (kind === "lot") return lotTrace(ctx, ref);
  if (kind === "batch") return batchTrace(ctx, ref);
  return landing(ctx);
}

function pageHead({ eyebrow, title, lead, back = true }) {
  return h(
    "div",
    { class: "page-head" },
    h(
      "div",
      {},
      back && h("a", { class: "back-link", href: "#/trace" }, icon("back"), "All lots"),
      eyebrow && h("p", { class: "eyebrow" }, eyebrow),
      h("h1", { tabindex: "-1", class: "trace-title" }, title),
      h("p", { class: "page-lead" }, lead),
    ),
  );
}

/** Search a lot (or container) or a batch by its number. */
function searchForm(ctx, { kind = "lot", ref = "" } = {}) {
  const kindSelect = h(
    "select",
    { id: "trace-kind", name: "kind", onChange: () => { input.placeholder = placeholder(); } },
    KINDS.map(([value, label]) => h("option", { value, selected: value === kind }, label)),
  );
  const input = h("input", { name: "ref", type: "search", value: ref, autocomplete: "off", spellcheck: "false", maxlength: 64 });
  const placeholder = () => KINDS.find(([value]) => value === kindSelect.value)[2];
  input.placeholder = placeholder();
  const number = field({ label: "Lot, container or batch number", control: input });
  number.element.classList.add("field--inline", "field--grow");
  return h(
    "form",
    {
      class: "filters trace-search",
      role: "search",
      "aria-label": "Trace a lot or a batch",
      novalidate: true,
      onSubmit: (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (!text) {
          number.setError("Enter a lot, container or batch number.");
          input.focus();
          return;
        }
        number.setError(null);
        ctx.navigate(`#/trace/${kindSelect.value}/${encodeURIComponent(text)}`);
      },
    },
    h("div", { class: "field field--inline" }, h("label", { class: "field__label", for: "trace-kind" }, "Trace"), kindSelect),
    number.element,
    h("button", { type: "submit", class: "button button--primary" }, icon("search"), "Trace"),
  );
}

function notFound(text) {
  return h("p", { class: "notice notice--info", role: "alert", id: "trace-not-found" }, icon("info"), text);
}

// ---------- Forward: a lot ----------

async function lotTrace(ctx, ref, { container = null } = {}) {
  ctx.setTitle(`Trace lot ${ref}`);
  const path = `/trace/lots/${encodeURIComponent(ref)}`;
  let trace;
  let recall;
  try {
    [trace, recall] = await Promise.all([api.get(path), api.get(`${path}/recall`)]);
  } catch (error) {
    if (error.status !== 404 || container) throw error;
    // Not a lot number: a container's number traces the lot it was dispensed from.
    const found = await api.get(`/containers/${encodeURIComponent(ref)}`).catch((missing) => {
      if (missing.status === 404) return null;
      throw missing;
    });
    if (!ctx.isCurrent()) return;
    if (found) {
      history.replaceState(null, "", `#/trace/lot/${encodeURIComponent(found.lot_number)}`);
      return lotTrace(ctx, found.lot_number, { container: found });
    }
    append(ctx.main,
      pageHead({ eyebrow: "Forward trace", title: `Lot ${ref}`, lead: "Where a lot went." }),
      searchForm(ctx, { kind: "lot", ref }),
      notFound(`There is no lot or container “${ref}”. Check the number, or pick a lot from the list.`));
    return;
  }
  if (!ctx.isCurrent()) return;
  const lot = recall.lot;
  ctx.setTitle(`Trace lot ${lot.lot_number}`);
  append(
    ctx.main,
    pageHead({
      eyebrow: "Forward trace",
      title: `Lot ${lot.lot_number}`,
      lead: "Where this lot went, at every level: the batches that used it, the lots they made, and the batches that used those.",
    }),
    searchForm(ctx, { kind: "lot", ref: lot.lot_number }),
    container && h("p", { class: "notice notice--info" }, icon("box"),
      `Container ${container.number} was dispensed from this lot (${format.withUnit(String(container.quantity), container.unit)}).`),
    lotSummary(lot),
    recallPanel(recall),
    treePanel("Where it went", trace.tree, `Forward trace of lot ${lot.lot_number}`,
      trace.tree.children.length ? null : "Nothing has been dispensed from this lot yet."),
  );
  ctx.announce(recallText(recall));
}

function lotSummary(lot) {
  const facts = [
    ["Material", `${lot.material.name} (${lot.material.code})`],
    ["Supplier", lot.supplier],
    ["Supplier lot", lot.supplier_lot],
    ["Received", format.date(lot.received_at)],
    ["Expiry", format.day(lot.expiry)],
    lot.retest_date && ["Retest", format.day(lot.retest_date)],
    ["In stock", format.withUnit(String(lot.quantity), lot.unit)],
  ].filter(Boolean);
  return h(
    "section",
    { class: "batch-head trace-summary", "aria-label": `Lot ${lot.lot_number}` },
    h("div", { class: "batch-head__top" },
      h("p", { class: "trace-summary__name" }, icon("layers"), lot.material.name),
      h("div", { class: "batch-head__status", id: "lot-status" }, statusChip("lot", lot.status))),
    h("dl", { class: "facts" }, facts.map(([term, detail]) => h("div", { class: "facts__item" }, h("dt", {}, term), h("dd", {}, detail)))),
  );
}

function recallText(recall) {
  const count = recall.affected.length;
  const lot = recall.lot.lot_number;
  if (!count) return `Lot ${lot} has not been used in any batch.`;
  const levels = Math.max(...recall.affected.map((batch) => batch.level));
  const made = recall.lots.length;
  const reach = `Lot ${lot} reached ${count} ${count === 1 ? "batch" : "batches"}`;
  if (levels === 1 && !made) return `${reach}.`;
  return `${reach} over ${levels} levels and ${made} ${made === 1 ? "lot" : "lots"} made from it.`;
}

/** Which batches a recall of the lot would reach, with their status. */
function recallPanel(recall) {
  const affected = recall.affected;
  return h(
    "section",
    { class: ["panel", "recall", affected.length && "recall--affected"], "aria-labelledby": "recall-title", id: "recall" },
    h("h2", { id: "recall-title", class: "recall__title" }, icon(affected.length ? "alert" : "check"), "Recall impact"),
    h("p", { class: "recall__summary", id: "recall-summary" }, recallText(recall)),
    affected.length > 0 && h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "list-table recall-table" },
        h("caption", { class: "visually-hidden" }, `Batches lot ${recall.lot.lot_number} reached`),
        h("thead", {}, h("tr", {}, ["Level", "Batch number", "Status", "Procedure", "Steps"].map((title) => h("th", { scope: "col" }, title)))),
        h("tbody", {}, affected.map((batch) =>
          h(
            "tr",
            { "data-batch": batch.batch_id, "data-level": batch.level },
            h("td", { "data-label": "Level" }, String(batch.level)),
            h("th", { scope: "row", "data-label": "Batch number" },
              h("a", { class: "strong-link", href: `#/batches/${encodeURIComponent(batch.batch_id)}` }, batch.batch_number)),
            h("td", { "data-label": "Status" }, statusChip("batch", batch.status)),
            h("td", { "data-label": "Procedure" }, batch.procedure),
            h("td", { "data-label": "Steps" }, h("ul", { class: "code-list" }, batch.step_titles.map((step) => h("li", {}, step)))),
          ))),
      ),
    ),
    recall.lots.length > 0 && h("p", { class: "recall__lots", id: "recall-lots" }, "Lots made from it: ",
      recall.lots.map((lot, index) => [index > 0 && ", ",
        h("a", { class: "strong-link", href: `#/trace/lot/${encodeURIComponent(lot.lot_number)}` }, lot.lot_number),
        ` (${lot.material.name}, ${lot.status})`])),
  );
}

function treePanel(title, tree, label, empty) {
  return h(
    "section",
    { class: "panel trace-panel", "aria-labelledby": "trace-tree-title" },
    h("h2", { id: "trace-tree-title" }, title),
    tree.children.length > 0 && traceDiagram(tree, { label: `${label}, drawn` }),
    traceTree(tree, { label }),
    empty && h("p", { class: "muted" }, empty),
  );
}

// ---------- Backward: a batch ----------

async function batchTrace(ctx, ref) {
  ctx.setTitle(`Trace batch ${ref}`);
  let trace;
  try {
    trace = await api.get(`/trace/batches/${encodeURIComponent(ref)}`);
  } catch (error) {
    if (error.status !== 404) throw error;
    if (!ctx.isCurrent()) return;
    append(ctx.main,
      pageHead({ eyebrow: "Backward trace", title: `Batch ${ref}`, lead: "What went into a batch." }),
      searchForm(ctx, { kind: "batch", ref }),
      notFound(`There is no batch “${ref}”. Check the batch number.`));
    return;
  }
  if (!ctx.isCurrent()) return;
  const batch = trace.tree;
  ctx.setTitle(`Trace batch ${batch.code}`);
  append(
    ctx.main,
    pageHead({
      eyebrow: "Backward trace",
      title: `Batch ${batch.code}`,
      lead: "What went into this batch: the containers and lots it used, and the supplier lots they came from.",
    }),
    searchForm(ctx, { kind: "batch", ref: batch.code }),
    h(
      "section",
      { class: "batch-head trace-summary", "aria-label": `Batch ${batch.code}` },
      h("div", { class: "batch-head__top" },
        h("p", { class: "trace-summary__name" }, icon("batches"), batch.label),
        h("div", { class: "batch-head__status" }, statusChip("batch", batch.status))),
      h("p", {}, h("a", { class: "strong-link icon-link", href: `#/batches/${encodeURIComponent(batch.id)}` }, icon("file"), "Open the batch record")),
    ),
    treePanel("What went into it", batch, `Backward trace of batch ${batch.code}`,
      batch.children.length ? null : "No material has been dispensed into this batch yet."),
  );
}

// ---------- The lots to pick from ----------

async function landing(ctx) {
  ctx.setTitle("Traceability");
  let status = STATUSES.some(([value]) => value === ctx.query.get("status")) ? ctx.query.get("status") : "";
  let material = ctx.query.get("material") ?? "";
  let search = ctx.query.get("q") ?? "";
  const materials = await api.getAll("/materials");
  if (!ctx.isCurrent()) return;
  if (!materials.some((item) => item.code === material)) material = "";

  const statusSelect = h(
    "select",
    { id: "lots-status", name: "status", onChange: () => { status = statusSelect.value; refresh(); } },
    STATUSES.map(([value, label]) => h("option", { value, selected: value === status }, label)),
  );
  const materialSelect = h(
    "select",
    { id: "lots-material", name: "material", onChange: () => { material = materialSelect.value; refresh(); } },
    h("option", { value: "" }, "All materials"),
    materials.map((item) => h("option", { value: item.code, selected: item.code === material }, `${item.name} (${item.code})`)),
  );
  const searchInput = h("input", {
    id: "lots-search",
    name: "q",
    type: "search",
    value: search,
    placeholder: "e.g. L-2026-0001",
    onInput: () => { search = searchInput.value; refresh(); },
  });
  const list = new PagedList({
    render: lotTable,
    empty: (filtered) => h("div", { class: "empty" }, icon("layers"), h("p", {}, filtered ? "No lot matches the filter." : "No lots received yet.")),
    nouns: ["lot", "lots"],
    onError: ctx.reportError,
  });

  function filters() {
    const params = new URLSearchParams();
    if (status) params.set("status", status);
    if (material) params.set("material", material);
    return params;
  }

  function refresh() {
    const params = filters();
    if (search.trim()) params.set("q", search.trim());
    const query = params.toString();
    history.replaceState(null, "", `#/trace${query ? `?${query}` : ""}`);
    load().catch(ctx.reportError);
  }

  function load() {
    const params = filters();
    if (search.trim()) params.set("lot_number", search.trim());
    const query = params.toString();
    return list.load(`/lots${query ? `?${query}` : ""}`, { filtered: Boolean(query) });
  }

  append(
    ctx.main,
    pageHead({
      title: "Traceability",
      lead: "Follow a lot forward to every batch it reached, or a batch back to the lots and supplier lots that went into it.",
      back: false,
    }),
    searchForm(ctx),
    receivesLots(ctx.user) && receiveLotForm({
      materials,
      onReceived: () => {
        // The list is newest first: without filters the new lot heads it.
        status = material = search = "";
        statusSelect.value = materialSelect.value = searchInput.value = "";
        refresh();
      },
    }),
    h(
      "section",
      { class: "lots", "aria-labelledby": "lots-title" },
      h("h2", { id: "lots-title" }, "Lots"),
      h(
        "form",
        { class: "filters", role: "search", "aria-label": "Filter lots", onSubmit: (event) => event.preventDefault() },
        h("div", { class: "field field--inline" }, h("label", { class: "field__label", for: "lots-status" }, "Status"), statusSelect),
        h("div", { class: "field field--inline" }, h("label", { class: "field__label", for: "lots-material" }, "Material"), materialSelect),
        h("div", { class: "field field--inline field--grow" }, h("label", { class: "field__label", for: "lots-search" }, "Lot number starts with"), searchInput),
      ),
      ...list.parts,
    ),
  );
  await load();
}
