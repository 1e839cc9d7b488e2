// The operator's start: the batches to work on, as large cards for a phone. Live.

import { api, unlessUnreachable } from "../api.js";
import { append, h, replace } from "../dom.js";
import { layoutQuery, useLayout } from "../components/headset.js";
import { icon } from "../components/icons.js";
import { progressBar } from "../components/progress.js";
import { statusChip } from "../components/status.js";

const GROUPS = [
  ["in_progress", "In progress", "running-title"],
  ["on_hold", "On hold, waiting for approval", "held-title"],
  ["created", "Ready to start", "waiting-title"],
];
const WORKABLE = new Set(GROUPS.map(([status]) => status));

export async function show(ctx) {
  ctx.setTitle("Run a batch");
  ctx.setSection("operator");
  const leaveLayout = useLayout(ctx);
  const body = h("div", { class: "op-groups" });
  const count = h("p", { class: "list-count", role: "status" });
  append(
    ctx.main,
    h("div", { class: "page-head" }, h("div", {},
      h("h1", { tabindex: "-1" }, "Run a batch"),
      h("p", { class: "page-lead" }, "Pick the batch you are working on. This list updates live."))),
    count,
    body,
  );

  async function load() {
    // Only what this page shows: the batches an operator can work on now, every page of them.
    const batches = await api.getAll(`/batches?status=${[...WORKABLE].join(",")}`);
    if (!ctx.isCurrent()) return;
    const open = batches.filter((batch) => WORKABLE.has(batch.status));
    count.textContent = `${open.length} ${open.length === 1 ? "batch" : "batches"} to work on`;
    if (open.length === 0) {
      replace(body, h("div", { class: "empty" }, icon("batches"), h("p", {}, "No batch is waiting for you. A supervisor creates batches.")));
      return;
    }
    replace(body, GROUPS.map(([status, title, id]) => {
      const batchesOf = open.filter((batch) => batch.status === status);
      return batchesOf.length > 0 && h(
        "section",
        { class: "op-group", "aria-labelledby": id },
        h("h2", { id }, title),
        h("ul", { class: "op-batches" }, batchesOf.map((batch) => card(batch, layoutQuery(ctx)))),
      );
    }));
  }

  try {
    await load();
  } catch (error) {
    leaveLayout();
    throw error;
  }
  const follow = () => load().catch(unlessUnreachable(ctx.reportError));
  const unwatch = ctx.live.watch(["batches"], { onEvent: follow, onResync: follow });
  return () => {
    unwatch();
    leaveLayout();
  };
}

/** The card of `batch`; `query` keeps the page's layout on its link. */
function card(batch, query) {
  return h(
    "li",
    { class: "op-batch", "data-batch": batch.id },
    h("a", { class: "op-batch__link", href: `#/operator/${encodeURIComponent(batch.id)}${query}` }, batch.batch_number),
    h("span", { class: "op-batch__procedure" }, `${batch.procedure.title} · version ${batch.procedure.version}`),
    h("span", { class: "op-batch__status" }, statusChip("batch", batch.status)),
    progressBar(batch.progress),
    batch.current_step && h("span", { class: "op-batch__step" }, `Current step: ${batch.current_step_title ?? batch.current_step}`),
  );
}
