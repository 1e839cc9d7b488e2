// A batch on hold at a blocking exception: why, who raised it, the approvals so far and how
// many the procedure requires; a supervisor or QA approves continuation with an e-signature.

import { api } from "../api.js";
import { h } from "../dom.js";
import { field, formMessage } from "./forms.js";
import { icon } from "./icons.js";
import { signatureList, signatureOf, timeOf } from "./record_parts.js";
import { signAndSend } from "./signed_action.js";

/**
 * The open holds of `batch` (none: null). `canApprove`: the user's role may approve;
 * `titles`: step id → title; `onApproved()` re-reads the batch.
 */
export function holdPanels({ batch, user, canApprove, titles, onApproved }) {
  const open = (batch.holds ?? []).filter((hold) => !hold.lifted_at);
  if (!open.length) return null;
  return open.map((hold) => holdPanel({ batch, hold, user, canApprove, titles, onApproved }));
}

function holdPanel({ batch, hold, user, canApprove, titles, onApproved }) {
  const approvals = hold.approvals ?? [];
  const titleId = `hold-${hold.id}-title`;
  const raisedBy = hold.raised_by ? `${hold.raised_by.full_name} (${hold.raised_by.username})` : "the system";
  return h(
    "section",
    { class: "hold-panel", "aria-labelledby": titleId, "data-hold": hold.id },
    h("h2", { id: titleId, class: "hold-panel__title" }, icon("pause"),
      `On hold at “${titles.get(hold.step_id) ?? hold.step_id ?? "this batch"}”`),
    h("p", { class: "hold-panel__reason" }, hold.reason),
    h("p", { class: "hold-panel__meta" }, `Raised by ${raisedBy}, `, timeOf(hold.raised_at),
      hold.deviation_id && [" · ", h("a", { href: `#/deviations/${encodeURIComponent(hold.deviation_id)}` },
        `Deviation ${hold.deviation_number ?? ""}`.trim())]),
    h("p", { class: "hold-panel__count", id: `hold-${hold.id}-count` },
      `${approvals.length} of ${hold.approvals_required} ${hold.approvals_required === 1 ? "approval" : "approvals"} to continue`),
    signatureList(approvals.map((approval) => signatureOf(approval.by, approval.at, "approved"))),
    approvals.some((approval) => approval.comment) && h("ul", { class: "hold-panel__comments" },
      approvals.filter((approval) => approval.comment).map((approval) =>
        h("li", {}, h("span", { class: "label" }, `${approval.by?.full_name ?? "?"}: `), approval.comment))),
    canApprove
      ? approveForm({ batch, hold, user, onApproved })
      : h("p", { class: "muted" }, "A supervisor or QA approves the continuation."),
  );
}

function approveForm({ batch, hold, user, onApproved }) {
  const comment = field({
    label: "Comment (optional)",
    control: h("textarea", { id: `hold-${hold.id}-comment`, name: "hold-comment", rows: 2, maxlength: 2000, class: "text-input" }),
  });
  const message = formMessage();
  const submit = h("button", { type: "submit", class: "button button--primary", id: `hold-${hold.id}-approve` }, icon("shield"), "Approve continuation");

  async function approve(event) {
    event.preventDefault();
    message.clear();
    submit.disabled = true;
    try {
      const text = comment.control.value.trim();
      const { signed, error } = await signAndSend({
        title: `Continue batch ${batch.batch_number}`,
        meaning: "approved",
        user,
        send: (signature) => api.post(
          `/batches/${encodeURIComponent(batch.id)}/holds/${encodeURIComponent(hold.id)}/approve`,
          text ? { signature, comment: text } : { signature },
        ),
      });
      if (error) message.show(error.detail);
      if (signed) onApproved();
    } finally {
      submit.disabled = false;
    }
  }

  return h("form", { class: "hold-panel__form", novalidate: true, onSubmit: approve }, message.element, comment.element, submit);
}
