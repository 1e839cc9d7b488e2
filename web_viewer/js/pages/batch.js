// The batch record: every step with its state, values against limits, who and when,
// signatures, deviations and the photos, snapshots and recordings attached to each step;
// for quality oversight, the audit trail. It follows the batch live: any event re-reads it.

import { api, unlessUnreachable } from "../api.js";
import { append, h, replace } from "../dom.js";
import * as format from "../format.js";
import { attachmentGallery, attachmentsByStep } from "../components/attachments.js";
import { auditTrail } from "../components/audit_trail.js";
import { coalesced } from "../components/coalesced.js";
import { editGuard } from "../components/edit_guard.js";
import { holdPanels } from "../components/hold_panel.js";
import { collaborationSection, loadCollaboration } from "../components/collaboration.js";
import { icon } from "../components/icons.js";
import { progressBar } from "../components/progress.js";
import { startBatchControls } from "../components/start_button.js";
import { timeOf } from "../components/record_parts.js";
import { statusChip } from "../components/status.js";
import { stepCard } from "../components/step_card.js";
import { redlinePanel } from "../components/redline_panel.js";
import { approvesHolds, decidesRedlines, isQa, proposesRedlines, readsAuditTrail } from "../roles.js";

export async function show(ctx) {
  ctx.setSection("batches");
  const id = ctx.params[0];
  const view = h("div", { class: "batch" });
  // A hold approval's comment being typed is not wiped by the batch's other events.
  const guard = editGuard(view);
  // Outside the re-rendered record, so that its filters survive the batch's events.
  const audit = readsAuditTrail(ctx.user)
    ? auditTrail(id, { isCurrent: () => ctx.isCurrent(), onError: unlessUnreachable(ctx.reportError) })
    : null;
  append(ctx.main, view, audit?.element);
  let previous = null;

  async function fetchAndRender({ initial = false } = {}) {
    const path = `/batches/${encodeURIComponent(id)}`;
    // The definition the batch follows: its version's, or its approved redline's.
    const [batch, definition, redlines, collaboration, attachments] = await Promise.all([
      api.get(path),
      api.get(`${path}/definition`),
      api.get(`${path}/redlines`),
      loadCollaboration(id).catch(() => null),
      api.getAll(`${path}/attachments`),
    ]);
    if (!ctx.isCurrent()) return;
    if (!guard.mayRender()) return;
    ctx.setTitle(`Batch ${batch.batch_number}`);
    const changed = initial ? new Set() : changedSteps(previous, batch);
    previous = batch;
    const parts = { collaboration, attachments: attachmentsByStep(attachments), redlines };
    ctx.preservingFocus(() => replace(view, render(ctx, batch, definition, changed, reloadNow, parts)));
    audit?.refresh(batch.steps);
    if (changed.size) {
      const titles = batch.steps.filter((step) => changed.has(step.step_id)).map((step) => step.title);
      ctx.announce(`Batch record updated: ${titles.join(", ")}.`);
    }
  }

  // Events arrive in bursts (a completion activates the next step): reads are coalesced.
  const reload = coalesced(fetchAndRender, {
    isCurrent: () => ctx.isCurrent(),
    onError: unlessUnreachable(ctx.reportError),
  });

  /** After the user's own action: show its outcome even over an edited form. */
  function reloadNow() {
    guard.force();
    return reload();
  }

  await fetchAndRender({ initial: true });
  // Who is watching the video changes nothing in the record.
  const onEvent = (event) => (event.type === "viewers" ? undefined : reload());
  return ctx.live.watch([`batch:${id}`], { onEvent, onResync: reload });
}

function changedSteps(before, after) {
  const old = new Map((before?.steps ?? []).map((step) => [step.step_id, JSON.stringify(step)]));
  return new Set(after.steps.filter((step) => old.get(step.step_id) !== JSON.stringify(step)).map((step) => step.step_id));
}

function render(ctx, batch, definition, changed, reload, { collaboration, attachments, redlines }) {
  const titles = new Map(batch.steps.map((step) => [step.step_id, step.title]));
  const records = new Map(batch.steps.map((step) => [step.step_id, step]));
  let number = 0;
  return [
    h("a", { class: "back-link", href: "#/batches" }, icon("back"), "All batches"),
    header(ctx, batch, definition, reload),
    holdPanels({ batch, user: ctx.user, canApprove: approvesHolds(ctx.user), titles, onApproved: reload }),
    deviationSummary(batch, titles),
    redlinePanel({
      batch,
      definition,
      redlines,
      user: ctx.user,
      canPropose: proposesRedlines(ctx.user),
      canDecide: decidesRedlines(ctx.user),
      onChanged: reload,
    }),
    definition.operations.map((operation, index) =>
      h(
        "section",
        { class: "operation", "aria-labelledby": `op-${operation.id}` },
        h("h2", { class: "operation__title", id: `op-${operation.id}` },
          h("span", { class: "operation__index" }, `Operation ${index + 1}`), operation.title),
        h(
          "ol",
          { class: "steps" },
          operation.steps.map((step) => {
            number += 1;
            const record = records.get(step.id);
            const card = stepCard({ definition: record?.definition ?? step, record, number, titles });
            append(card, attachmentGallery(attachments.get(step.id), `step ${number}, ${step.title}`));
            if (changed.has(step.id)) card.classList.add("step--updated");
            return card;
          }),
        ),
      ),
    ),
    attachmentGallery(attachments.get(null), "the batch"),
    collaboration && collaborationSection(collaboration, titles),
  ];
}

function header(ctx, batch, definition, reload) {
  const facts = [
    ["Procedure", h("a", { href: `#/procedures/${encodeURIComponent(batch.procedure.key)}/${batch.procedure.version}` },
      `${batch.procedure.title}, version ${batch.procedure.version}`)],
    ["Created", byWhom(batch.created_by, batch.created_at)],
    ["Started", batch.started_at ? byWhom(batch.started_by, batch.started_at) : "Not started"],
    ["Completed", batch.completed_at ? timeOf(batch.completed_at) : "—"],
    ["Current step", batch.current_step
      ? batch.steps.find((step) => step.step_id === batch.current_step)?.title ?? batch.current_step
      : "—"],
    ...(definition.parameters ?? []).map((parameter) => [
      parameter.label,
      format.value(batch.parameters[parameter.name], parameter),
    ]),
    ["Material genealogy", h("a", { class: "icon-link", href: `#/trace/batch/${encodeURIComponent(batch.batch_number)}` },
      icon("trace"), "Backward trace")],
  ];
  const canStart = batch.status === "created" && ctx.user.can.start_batches;
  return h(
    "header",
    { class: "batch-head" },
    h(
      "div",
      { class: "batch-head__top" },
      h("div", {},
        h("p", { class: "eyebrow" }, "Batch record"),
        h("h1", { tabindex: "-1", class: "batch-head__title" }, batch.batch_number)),
      h("div", { class: "batch-head__status" }, statusChip("batch", batch.status)),
    ),
    progressBar(batch.progress),
    h("dl", { class: "facts" }, facts.map(([term, detail]) => h("div", { class: "facts__item" }, h("dt", {}, term), h("dd", {}, detail)))),
    canStart && startButton(ctx, batch, reload),
    reviewLink(ctx, batch),
  );
}

/** "Sam Supervisor (sam), 07 Dec 2026, 09:30:38 UTC": who did it and when. */
function byWhom(person, at) {
  return h("span", { class: "by-whom" },
    person && h("span", { class: "by-whom__name" }, `${person.full_name} (${person.username})`),
    person && ", ",
    timeOf(at));
}

/** QA reviews a batch that has begun; once decided, anyone may read the decision. */
function reviewLink(ctx, batch) {
  const decided = batch.status === "released" || batch.status === "rejected";
  if (!decided && !(isQa(ctx.user) && batch.status !== "created")) return null;
  return h("div", { class: "batch-head__actions" },
    h("a", { class: "button", href: `#/batches/${encodeURIComponent(batch.id)}/review`, id: "review-link" },
      icon(decided ? "lock" : "eye"), decided ? "Review and decision" : "Review by exception"));
}

function startButton(ctx, batch, reload) {
  const [button, message] = startBatchControls(batch, reload);
  return h("div", { class: "batch-head__actions" }, button, message);
}

function deviationSummary(batch, titles) {
  const deviations = batch.deviations ?? [];
  if (deviations.length === 0) {
    return h("p", { class: "notice notice--ok" }, icon("check"), "No deviations recorded in this batch.");
  }
  const open = deviations.filter((deviation) => ["open", "investigating"].includes(deviation.status ?? "open")).length;
  return h(
    "section",
    { class: "deviations-summary", "aria-labelledby": "deviations-title" },
    h("h2", { id: "deviations-title", class: "deviations-summary__title" }, icon("alert"),
      `${deviations.length} ${deviations.length === 1 ? "deviation" : "deviations"}, ${open} open`),
    h("ul", { class: "deviations-summary__list" }, deviations.map((deviation) =>
      h(
        "li",
        { class: "deviations-summary__item" },
        statusChip("severity", deviation.severity),
        h("a", { class: "deviations-summary__number", href: `#/deviations/${encodeURIComponent(deviation.id)}` }, deviation.number),
        statusChip("deviation", deviation.status),
        h("span", { class: "deviations-summary__text" }, deviation.title),
        deviation.step_id && h(
          "button",
          { type: "button", class: "button button--link", onClick: () => goToStep(deviation.step_id) },
          `Go to step “${titles.get(deviation.step_id) ?? deviation.step_id}”`,
        ),
      ))),
  );
}

function goToStep(stepId) {
  const title = document.getElementById(`step-${stepId}-title`);
  if (!title) return;
  title.setAttribute("tabindex", "-1");
  title.scrollIntoView({ block: "start" });
  title.focus({ preventScroll: true });
}
