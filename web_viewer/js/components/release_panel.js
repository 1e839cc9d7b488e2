// The decision on a batch: what still blocks it, Release and Reject for QA (each signed),
// and once decided, the locked state with who decided, when and with what meaning.

import { api } from "../api.js";
import { h } from "../dom.js";
import * as format from "../format.js";
import { field } from "./forms.js";
import { icon } from "./icons.js";
import { signatureItem, signatureOf } from "./record_parts.js";
import { refusalMessage } from "./refusal.js";
import { signAndSend } from "./signed_action.js";
import { statusChip } from "./status.js";

/** The decision section of `review`; `onDecided()` re-reads the page. */
export function releasePanel({ review, user, canDecide, onDecided }) {
  if (review.decision) return lockedState(review);
  const blocking = review.blocking ?? [];
  return h(
    "section",
    { class: "decision", "aria-labelledby": "decision-title", id: "decision" },
    h("h2", { id: "decision-title" }, "Release decision"),
    blocking.length
      ? h("div", { class: "decision__blocking" },
          h("p", { class: "decision__lead" }, icon("alert"), h("span", {}, "Release is not possible yet:")),
          h("ul", { class: "decision__reasons", "aria-label": "What blocks the release" }, blocking.map((reason) => h("li", {}, reason))))
      : h("p", { class: "notice notice--ok" }, icon("check"), "Every exception is reviewed and nothing blocks the release."),
    canDecide ? decisionForm({ review, user, onDecided }) : h("p", { class: "muted" }, "Only QA can release or reject a batch."),
  );
}

function decisionForm({ review, user, onDecided }) {
  const comment = field({
    label: "Comment or reason",
    hint: "Optional for a release; a rejection needs the reason.",
    control: h("textarea", { id: "decision-comment", name: "decision-comment", rows: 3, maxlength: 2000, class: "text-input" }),
  });
  const refusal = refusalMessage("decision-refusal");
  const release = h("button", { type: "button", class: "button button--primary", id: "release-batch", onClick: () => decide("released") },
    icon("shield"), "Release batch");
  const reject = h("button", { type: "button", class: "button button--danger", id: "reject-batch", onClick: () => decide("rejected") },
    icon("ban"), "Reject batch");

  async function decide(decision) {
    refusal.clear();
    comment.setError(null);
    const text = comment.control.value.trim();
    if (decision === "rejected" && !text) {
      comment.setError("Say why the batch is rejected.");
      comment.control.focus();
      return;
    }
    release.disabled = true;
    reject.disabled = true;
    try {
      const { signed, error } = await signAndSend({
        title: `${decision === "released" ? "Release" : "Reject"} batch ${review.batch_number}`,
        meaning: decision,
        user,
        send: (signature) => api.post(`/batches/${encodeURIComponent(review.batch_id)}/release`,
          text ? { decision, signature, comment: text } : { decision, signature }),
      });
      if (error) refusal.show(error);
      if (signed) onDecided();
    } finally {
      release.disabled = false;
      reject.disabled = false;
    }
  }

  return h("form", { class: "decision__form", novalidate: true, "aria-label": "Decision", onSubmit: (event) => event.preventDefault() },
    refusal.element, comment.element, h("div", { class: "form-actions" }, release, reject));
}

function lockedState(review) {
  const decision = review.decision;
  const released = decision.decision === "released";
  return h(
    "section",
    { class: ["decision", "decision--locked", released ? "decision--released" : "decision--rejected"], "aria-labelledby": "decision-title", id: "decision" },
    h("h2", { id: "decision-title" }, icon("lock"), released ? "Released: the batch record is locked" : "Rejected: the batch record is locked"),
    h("p", {}, statusChip("batch", decision.decision), " ",
      `${released ? "Released" : "Rejected"} by ${decision.by?.full_name ?? "?"}, ${format.utcDateTime(decision.at)}. Nothing in it can change any more.`),
    h("ul", { class: "signatures", "aria-label": "Decision signature" },
      signatureItem(signatureOf(decision.by, decision.at, decision.meaning ?? decision.decision))),
    decision.comment && h("p", { class: "decision__comment" }, h("span", { class: "label" }, released ? "Comment: " : "Reason: "), decision.comment),
  );
}
