// One deviation: what raised it (step, field, value against its limits), its investigation
// facts, its signatures and history; QA closes or cancels it with an e-signature.

import { api, unlessUnreachable } from "../api.js";
import { append, h, replace } from "../dom.js";
import * as format from "../format.js";
import { coalesced } from "../components/coalesced.js";
import { deviationActions } from "../components/deviation_actions.js";
import { deviationFacts } from "../components/deviation_facts.js";
import { deviationHistory } from "../components/deviation_history.js";
import { editGuard } from "../components/edit_guard.js";
import { icon } from "../components/icons.js";
import { rangeBar } from "../components/range_bar.js";
import { signatureList, timeOf } from "../components/record_parts.js";
import { chip, statusChip } from "../components/status.js";
import { investigates, isQa } from "../roles.js";

const UNRESOLVED = new Set(["open", "investigating"]);

export async function show(ctx) {
  ctx.setSection("deviations");
  const id = ctx.params[0];
  const view = h("div", { class: "deviation-page" });
  const guard = editGuard(view);
  append(ctx.main, view);
  let watching = null;

  async function fetchAndRender() {
    const deviation = await api.get(`/deviations/${encodeURIComponent(id)}`);
    if (!ctx.isCurrent() || !guard.mayRender()) return;
    rendered(deviation);
    watching ??= ctx.live.watch([`batch:${deviation.batch_id}`], { onEvent: reload, onResync: reload });
  }

  function rendered(deviation) {
    ctx.setTitle(`Deviation ${deviation.number}`);
    ctx.preservingFocus(() => replace(view, render(ctx, deviation, { onChanged: changed })));
  }

  /** A write answered the deviation without its history: read it again, whole. */
  function changed(what) {
    ctx.announce(what);
    guard.force();
    reload();
  }

  const reload = coalesced(fetchAndRender, {
    isCurrent: () => ctx.isCurrent(),
    onError: unlessUnreachable(ctx.reportError),
  });

  await fetchAndRender();
  return () => watching?.();
}

function render(ctx, deviation, { onChanged }) {
  const unresolved = UNRESOLVED.has(deviation.status);
  const facts = deviationFacts({
    deviation,
    editable: unresolved && investigates(ctx.user),
    setsSeverity: isQa(ctx.user),
    onSaved: () => onChanged(`Deviation ${deviation.number}: facts saved.`),
  });
  return [
    h("a", { class: "back-link", href: "#/deviations" }, icon("back"), "All deviations"),
    header(deviation),
    facts.element,
    unresolved && isQa(ctx.user) && deviationActions({
      deviation,
      user: ctx.user,
      beforeClose: () => facts.save(false),
      onProblem: facts.showProblem,
      onDone: (answer) => onChanged(`Deviation ${deviation.number} ${answer?.status ?? "decided"}.`),
    }),
    deviation.signatures?.length > 0 && h("section", { class: "panel", "aria-labelledby": "signatures-title" },
      h("h2", { id: "signatures-title" }, "Signatures"), signatureList(deviation.signatures)),
    deviationHistory(deviation.history ?? []),
  ];
}

function header(deviation) {
  const spec = { unit: deviation.limits?.unit };
  const facts = [
    ["Batch", h("a", { href: `#/batches/${encodeURIComponent(deviation.batch_id)}` }, deviation.batch_number ?? deviation.batch_id)],
    ["Kind", format.capitalise(deviation.kind)],
    deviation.step_id && ["Step", deviation.step_title ?? deviation.step_id],
    deviation.field && ["Field", deviation.field_label ?? deviation.field],
    deviation.value !== null && deviation.value !== undefined && ["Value", format.value(deviation.value, spec)],
    ["Opened", h("span", {}, `${deviation.opened_by?.full_name ?? "—"}, `, timeOf(deviation.opened_at))],
    deviation.updated_at && ["Last change", timeOf(deviation.updated_at)],
    deviation.closed_at && [deviation.status === "cancelled" ? "Cancelled" : "Closed",
      h("span", {}, `${deviation.closed_by?.full_name ?? "—"}, `, timeOf(deviation.closed_at))],
  ].filter(Boolean);
  const limits = deviation.limits && typeof deviation.value === "number" && hasBounds(deviation.limits);
  return h(
    "header",
    { class: "batch-head" },
    h("div", { class: "batch-head__top" },
      h("div", {},
        h("p", { class: "eyebrow" }, "Deviation"),
        h("h1", { tabindex: "-1", class: "batch-head__title" }, `Deviation ${deviation.number}: ${deviation.title}`)),
      h("div", { class: "batch-head__status deviation-page__chips" },
        statusChip("deviation", deviation.status),
        statusChip("severity", deviation.severity),
        deviation.blocking && chip("danger", "pause", "Blocking"))),
    deviation.comment && h("p", {}, h("span", { class: "label" }, "Justification: "), deviation.comment),
    limits && h("div", { class: "deviation-page__limits" }, rangeBar(deviation.limits, deviation.value, spec)),
    h("dl", { class: "facts" }, facts.map(([term, detail]) => h("div", { class: "facts__item" }, h("dt", {}, term), h("dd", {}, detail)))),
  );
}

function hasBounds(limits) {
  return ["min", "max", "alert_min", "alert_max"].some((name) => typeof limits[name] === "number");
}
