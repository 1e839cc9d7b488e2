// A batch held by a blocking exception: what holds it and the continuation approvals it has
// and still needs (a supervisor or QA signs; never the person who raised it).

import { h } from "../dom.js";
import { icon } from "./icons.js";
import { timeOf } from "./record_parts.js";

/** The oldest hold of `batch` still waiting for continuation, or null. */
export function waitingHold(batch) {
  if (batch.status !== "on_hold") return null;
  return (batch.holds ?? []).find((hold) => !hold.lifted_at) ?? null;
}

/** A key that changes whenever what the banner shows changes. */
export function holdKey(batch) {
  const hold = waitingHold(batch);
  return hold ? `${hold.id}:${hold.approvals.length}` : "";
}

/** The banner of a held batch: the exception, who raised it, the approvals so far. */
export function holdBanner(batch, titles) {
  const hold = waitingHold(batch);
  if (!hold) return null;
  const step = hold.step_id ? titles.get(hold.step_id) ?? hold.step_id : null;
  const needed = hold.approvals_required - hold.approvals.length;
  return h("section", { class: "op-hold", id: "hold-banner", "aria-labelledby": "hold-title", "data-hold": hold.id },
    h("h2", { id: "hold-title", tabindex: "-1" }, icon("lock"), "Batch on hold"),
    h("p", { class: "op-hold__reason" },
      hold.reason,
      hold.deviation_number ? ` (deviation ${hold.deviation_number})` : "",
      step ? ` at “${step}”` : "", "."),
    h("p", {}, `Raised by ${hold.raised_by.full_name}, `, timeOf(hold.raised_at), "."),
    h("p", { class: "op-hold__waiting", id: "hold-waiting" },
      `Waiting for approval to continue: ${hold.approvals.length} of ${hold.approvals_required} `,
      `${hold.approvals_required === 1 ? "approval" : "approvals"}`,
      needed > 0 ? ` (${needed} more from a supervisor or QA, not ${hold.raised_by.full_name}).` : "."),
    hold.approvals.length > 0 && h("ul", { class: "op-hold__approvals" }, hold.approvals.map((approval) =>
      h("li", {}, icon("shield"), ` Approved by ${approval.by.full_name}, `, timeOf(approval.at),
        approval.comment ? `: ${approval.comment}` : ""))),
    h("p", {}, "No step can be completed until continuation is approved; this page moves on by itself."));
}
