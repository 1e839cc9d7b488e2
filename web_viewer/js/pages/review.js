// Review by exception: only what departed from the procedure, each item in its context with a
// signed Reviewed mark; what blocks the release; Release and Reject; the record to download.

import { api, unlessUnreachable } from "../api.js";
import { append, h, replace } from "../dom.js";
import { coalesced } from "../components/coalesced.js";
import { editGuard } from "../components/edit_guard.js";
import { icon } from "../components/icons.js";
import { releasePanel } from "../components/release_panel.js";
import { reviewItem } from "../components/review_item.js";
import { statusChip } from "../components/status.js";
import { isQa } from "../roles.js";

export async function show(ctx) {
  ctx.setSection("batches");
  const id = ctx.params[0];
  const view = h("div", { class: "review" });
  const guard = editGuard(view);
  append(ctx.main, view);

  async function fetchAndRender() {
    const review = await api.get(`/batches/${encodeURIComponent(id)}/review`);
    if (!ctx.isCurrent() || !guard.mayRender()) return;
    ctx.setTitle(`Review of batch ${review.batch_number}`);
    ctx.preservingFocus(() => replace(view, render(ctx, review, afterSigning)));
  }

  const reload = coalesced(fetchAndRender, {
    isCurrent: () => ctx.isCurrent(),
    onError: unlessUnreachable(ctx.reportError),
  });

  /** After the user's own signature: say so and show the answer. */
  function afterSigning(what) {
    ctx.announce(what);
    guard.force();
    reload();
  }

  await fetchAndRender();
  return ctx.live.watch([`batch:${id}`], { onEvent: reload, onResync: reload });
}

function render(ctx, review, afterSigning) {
  const canDecide = isQa(ctx.user) && !review.decision;
  const batchHref = `#/batches/${encodeURIComponent(review.batch_id)}`;
  return [
    h("a", { class: "back-link", href: batchHref }, icon("back"), `Batch record ${review.batch_number}`),
    h(
      "header",
      { class: "batch-head" },
      h("div", { class: "batch-head__top" },
        h("div", {},
          h("p", { class: "eyebrow" }, "Review by exception"),
          h("h1", { tabindex: "-1", class: "batch-head__title" }, `Review of batch ${review.batch_number}`)),
        h("div", { class: "batch-head__status" }, statusChip("batch", review.status))),
      h("p", { class: "review__ratio", id: "review-ratio" },
        h("strong", {}, `${review.exceptions} ${review.exceptions === 1 ? "exception" : "exceptions"}`),
        ` in ${review.data_points} recorded data ${review.data_points === 1 ? "point" : "points"}`,
        review.unreviewed ? `; ${review.unreviewed} still to review.` : "; all reviewed."),
      downloads(review.batch_id),
    ),
    incompleteSteps(review.incomplete_steps ?? [], batchHref),
    h(
      "section",
      { class: "review__items", "aria-labelledby": "review-items-title" },
      h("h2", { id: "review-items-title" }, "Exceptions"),
      review.items.length
        ? h("ol", { class: "review-items" }, review.items.map((item) => reviewItem({
            item,
            review,
            user: ctx.user,
            canReview: canDecide,
            onReviewed: () => afterSigning(`Marked as reviewed: ${item.title}.`),
          })))
        : h("p", { class: "notice notice--ok" }, icon("check"), "Nothing departed from the procedure in this batch."),
    ),
    releasePanel({ review, user: ctx.user, canDecide, onDecided: () => afterSigning(`Batch ${review.batch_number} decided.`) }),
  ];
}

function downloads(batchId) {
  const base = `/api/v1/batches/${encodeURIComponent(batchId)}`;
  return h("p", { class: "review__downloads" },
    h("a", { class: "button", href: `${base}/record.pdf`, download: "", id: "record-pdf" }, icon("download"), "Batch record (PDF)"),
    h("a", { class: "button", href: `${base}/record.json`, download: "", id: "record-json" }, icon("download"), "Batch record (JSON)"));
}

function incompleteSteps(steps, batchHref) {
  if (!steps.length) return null;
  return h(
    "section",
    { class: "review__missing", "aria-labelledby": "missing-title" },
    h("h2", { id: "missing-title" }, icon("clock"), `${steps.length} ${steps.length === 1 ? "step is" : "steps are"} not done`),
    h("ul", {}, steps.map((step) => h("li", {}, h("a", { href: `${batchHref}` }, step.title), " ", statusChip("step", step.state)))),
  );
}
