// Running a batch on a phone: the active step with large controls, the camera (scans,
// photos, live video with the experts' annotations), deviations as they are raised, and the
// steps already done. Live: another device completing a step moves this page on; a blocking
// exception holds the batch (a banner, completion disabled) until continuation is approved.
// Offline: the page opens from the service worker's copies, completions wait in the outbox
// (shown, and laid over the batch so the next step can be done) until the connection is back.

import { api, unlessUnreachable } from "../api.js";
import { append, h, replace } from "../dom.js";
import { CameraPanel } from "../components/camera_panel.js";
import { coalesced } from "../components/coalesced.js";
import { isHeadset, layoutQuery, useLayout, viewSwitcher } from "../components/headset.js";
import { holdBanner, holdKey } from "../components/hold_banner.js";
import { icon } from "../components/icons.js";
import { operatorStep } from "../components/operator_step.js";
import { progressBar } from "../components/progress.js";
import { startBatchControls } from "../components/start_button.js";
import { deviationCard } from "../components/record_parts.js";
import { chip, statusChip } from "../components/status.js";
import { stepCard } from "../components/step_card.js";
import { outbox } from "../offline/outbox.js";
import { project } from "../offline/projection.js";
import { startBatch } from "../offline/submit.js";
import { waitingPanel } from "../offline/waiting_panel.js";

const NOTICES_KEPT = 3;
// The headset layout's views, one at a time under the current instruction.
const VIEWS = [["step", "Show step"], ["camera", "Show camera"], ["deviations", "Show deviations"], ["done", "Show steps done"]];
const HOLD_NOTICES = {
  raised: ["danger", "lock", (event) => `Batch on hold: ${event.reason}. Waiting for approval to continue.`],
  approved: ["info", "shield", (event) => `Continuation approved by ${event.by}; one more approval is needed.`],
  lifted: ["ok", "check", (event) => `Hold lifted by ${event.by}: continue with the next step.`],
};

export async function show(ctx) {
  ctx.setSection("operator");
  const leaveLayout = useLayout(ctx);
  const query = layoutQuery(ctx);
  const id = ctx.params[0];
  const camera = new CameraPanel(id, ctx.user);
  camera.element.dataset.shows = "camera";
  const head = h("header", { class: "op-head" });
  const notices = h("div", { class: "op-notices", id: "op-notices" });
  const outboxSlot = h("div", { class: "op-slot" });
  const stepSlot = h("div", { class: "op-slot", id: "step-slot" });
  const deviationSlot = h("div", { class: "op-slot", "data-shows": "deviations" });
  const doneSlot = h("div", { class: "op-slot", "data-shows": "done" });
  const operator = h("div", { class: "operator" });
  const views = viewSwitcher(operator, VIEWS);
  append(
    ctx.main,
    append(operator,
      h("a", { class: "back-link", href: `#/operator${query}` }, icon("back"), "My batches"),
      head, notices, isHeadset(ctx) && views.element, outboxSlot, stepSlot, camera.element, deviationSlot, doneSlot),
  );
  let batch = null;
  let shownKey = null;
  let form = null;

  /** On a headset the camera is a view of its own: shown while it scans or photographs. */
  async function withCamera(use) {
    if (!isHeadset(ctx)) return use();
    views.show("camera");
    try {
      return await use();
    } finally {
      views.show("step");
    }
  }
  const tools = { scan: (spec) => withCamera(() => camera.scan(spec)), photo: () => withCamera(() => camera.photo()) };

  function notify(tone, iconName, text) {
    const note = h("div", { class: `form-message form-message--${tone} op-notice`, role: "alert" },
      icon(iconName), h("span", {}, text),
      h("button", { type: "button", class: "button button--quiet op-notice__close", onClick: () => note.remove() },
        h("span", { class: "visually-hidden" }, "Dismiss: "), "OK"));
    notices.prepend(note);
    while (notices.children.length > NOTICES_KEPT) notices.lastElementChild.remove();
  }

  function renderStep(initial) {
    const record = batch.steps.find((step) => step.step_id === batch.current_step && step.state === "active");
    const key = `${batch.status}:${batch.current_step}:${holdKey(batch)}:${record?.waiting ?? ""}:${batch.undecided}`;
    if (key === shownKey) return;
    shownKey = key;
    // The step this page showed was completed by someone else (a headset, another phone).
    const left = form && batch.steps.find((step) => step.step_id === form.stepId);
    if (left?.state === "completed" && left.completed_by?.username !== ctx.user.username) {
      notify("info", "info", `“${left.title}” was completed on another device by ${left.completed_by?.full_name ?? "someone else"}.`);
    }
    form = null;
    if (batch.status === "completed") {
      replace(stepSlot, completedPanel(batch, query));
    } else if (batch.status === "on_hold") {
      const titles = new Map(batch.steps.map((step) => [step.step_id, step.title]));
      // Held at an active step (a correction raised it): shown, its completion disabled.
      const held = record && operatorStep({ batch, record, user: ctx.user, tools, held: true, onCompleted: () => reload(), onStale: () => reload() });
      replace(stepSlot, holdBanner(batch, titles), held?.element);
    } else if (record?.waiting === "server") {
      replace(stepSlot, waitingForServer(record, "The step is saved on this phone. The server judges it (scans, e-signatures, hold times) once it is sent; the next step opens then."));
    } else if (batch.status === "created") {
      replace(stepSlot, startPanel(ctx, batch, reload));
    } else if (record) {
      form = operatorStep({
        batch,
        record,
        user: ctx.user,
        tools,
        onCompleted: (result) => completed(result),
        onQueued: () => queued(),
        onStale: () => reload(),
      });
      replace(stepSlot, form.element);
    } else if (batch.undecided) {
      replace(stepSlot, h("p", { class: "notice notice--info", id: "op-undecided" }, icon("clock"),
        "Waiting for the connection: the server decides what comes next once the steps done here are sent."));
    } else {
      replace(stepSlot, h("p", { class: "notice notice--info" }, icon("clock"), "Waiting for the next step…"));
    }
    if (!initial) stepSlot.querySelector("h2")?.focus();
  }

  function completed(result) {
    const deviations = result.deviations ?? [];
    const text = deviations.length
      ? `Step completed in the alert band: ${deviations.map((d) => `deviation ${d.number}`).join(", ")} opened.`
      : "Step completed.";
    ctx.announce(text);
    reload();
  }

  function queued() {
    ctx.announce("Saved on this phone: it is sent when the connection is back.");
    reload();
  }

  async function fetchAndRender({ initial = false } = {}) {
    // Offline, the service worker answers with the copy it kept; the outbox's waiting
    // completions are laid over it.
    const [read, entries] = await Promise.all([
      api.get(`/batches/${encodeURIComponent(id)}`),
      outbox.open(ctx.user.username, id),
    ]);
    if (!ctx.isCurrent()) return;
    batch = project(read, entries, ctx.user);
    replace(outboxSlot, waitingPanel(entries, {
      online: outbox.online,
      onDismiss: (entry) => outbox.dismiss(entry.seq),
    }));
    ctx.setTitle(`Run ${batch.batch_number}`);
    const doneOpen = doneSlot.querySelector("details")?.open ?? false;
    ctx.preservingFocus(() => {
      replace(head, header(batch));
      replace(deviationSlot, deviationsPanel(batch));
      replace(doneSlot, doneSteps(batch, doneOpen));
    });
    renderStep(initial);
  }

  const reload = coalesced(fetchAndRender, {
    isCurrent: ctx.isCurrent,
    onError: unlessUnreachable(ctx.reportError),
  });

  function onEvent(event) {
    if (event.type === "annotation") {
      camera.showAnnotation(event);
      if (event.action === "created" && event.annotation?.stream_id === id) {
        notify("info", "pencil", `New annotation from ${event.annotation?.created_by?.full_name ?? "an expert"}${event.annotation?.text ? `: ${event.annotation.text}` : ""}.`);
      }
    } else if (event.type === "scan") {
      form?.offerScan(event);
    } else if (event.type === "scan_rejected") {
      form?.rejectScan(event);
    } else if (event.type === "deviation") {
      notify("danger", "alert", `Deviation ${event.number} raised: ${event.title}`);
      reload();
    } else if (event.type === "hold") {
      const [tone, iconName, text] = HOLD_NOTICES[event.state] ?? HOLD_NOTICES.raised;
      notify(tone, iconName, text(event));
      reload();
    } else if (event.type === "step" || event.type === "batch") {
      reload();
    }
  }

  const reloadAnnotations = () => camera.loadAnnotations().catch(unlessUnreachable((error) => camera.showError(error)));
  try {
    await Promise.all([fetchAndRender({ initial: true }), reloadAnnotations()]);
  } catch (error) {
    leaveLayout();
    throw error;
  }
  const unwatchOutbox = outbox.watch(() => reload());
  outbox.send(ctx.user.username);
  const unwatch = ctx.live.watch([`batch:${id}`], {
    onEvent,
    onResync: () => {
      outbox.send(ctx.user.username);
      reload();
      reloadAnnotations();
    },
  });
  return () => {
    unwatchOutbox();
    unwatch();
    camera.destroy();
    leaveLayout();
  };
}

function header(batch) {
  return [
    h("p", { class: "eyebrow" }, "Batch"),
    h("div", { class: "op-head__top" },
      h("h1", { tabindex: "-1" }, batch.batch_number),
      statusChip("batch", batch.status)),
    h("p", { class: "op-head__procedure" }, `${batch.procedure.title} · version ${batch.procedure.version}`),
    progressBar(batch.progress),
  ];
}

function waitingForServer(record, text) {
  return h("section", { class: "op-step", "aria-labelledby": "waiting-title", id: "op-waiting-step", "data-step": record.step_id },
    h("h2", { id: "waiting-title", tabindex: "-1" }, icon("clock"), `“${record.title}”: waiting to be sent`),
    h("p", {}, text));
}

function startPanel(ctx, batch, reload) {
  const [button, message] = startBatchControls(batch, reload, {
    buttonClass: "button button--primary op-button op-button--main",
    start: () => startBatch({ batch, user: ctx.user }),
  });
  return h("section", { class: "op-step", "aria-labelledby": "start-title" },
    h("h2", { id: "start-title", tabindex: "-1" }, "Not started yet"),
    h("p", {}, "Start the batch when the line is ready; the first step opens."),
    button, message);
}

function completedPanel(batch, query) {
  return h("section", { class: "op-step op-step--done", "aria-labelledby": "done-title", id: "batch-done" },
    h("h2", { id: "done-title", tabindex: "-1" }, icon("check"), "Batch completed"),
    h("p", {}, "Every step is done. The batch record is ready for review."),
    h("div", { class: "op-actions" },
      h("a", { class: "button button--primary op-button", href: `#/batches/${encodeURIComponent(batch.id)}` }, icon("file"), "Open the batch record"),
      h("a", { class: "button op-button", href: `#/operator${query}` }, icon("back"), "My batches")));
}

function deviationsPanel(batch) {
  const deviations = [...(batch.deviations ?? [])].reverse();
  if (!deviations.length) return h("p", { class: "notice notice--ok" }, icon("check"), "No deviations in this batch.");
  const titles = new Map(batch.steps.map((step) => [step.step_id, step.title]));
  return h("section", { class: "op-deviations", "aria-labelledby": "op-deviations-title", id: "op-deviations" },
    h("h2", { id: "op-deviations-title" }, icon("alert"), `Deviations (${deviations.length})`),
    deviations.map((deviation) => deviationCard(deviation, { stepTitle: titles.get(deviation.step_id) })));
}

function doneSteps(batch, open) {
  const done = batch.steps.filter((step) => step.state === "completed" || step.state === "skipped");
  if (!done.length) return null;
  const titles = new Map(batch.steps.map((step) => [step.step_id, step.title]));
  return h("details", { class: "op-done", id: "done-steps", open },
    h("summary", { id: "done-steps-summary" }, `Steps done (${done.length} of ${batch.steps.length})`),
    h("ol", { class: "steps" }, done.map((record) => {
      const card = stepCard({ definition: record.definition, record, number: batch.steps.indexOf(record) + 1, titles });
      if (record.waiting) card.prepend(chip("info", "clock", "Waiting to be sent", { "data-waiting": record.step_id }));
      return card;
    })));
}
