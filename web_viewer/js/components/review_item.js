// One exception a reviewer must read: what departed from the procedure, in its context (the
// step, the limits, who and when, old and new value), and the reviewer's signed mark.

import { api } from "../api.js";
import { h, uid } from "../dom.js";
import * as format from "../format.js";
import { field, formMessage } from "./forms.js";
import { icon } from "./icons.js";
import { rangeBar } from "./range_bar.js";
import { signatureItem, signatureOf, timeOf } from "./record_parts.js";
import { signAndSend } from "./signed_action.js";
import { chip, statusChip } from "./status.js";

const KIND_LABELS = {
  deviation: "Deviation",
  alert_value: "Alert value",
  correction: "Correction",
  manual_weight: "Manual weight",
  signature_refused: "Refused signature",
  hold: "Hold",
  override: "Override",
  late_entry: "Late entry",
};

/**
 * The card of `item` of `review`; `canReview`: the user may sign it (QA, batch not decided).
 * `onReviewed()` re-reads the review after a mark was signed.
 */
export function reviewItem({ item, review, user, canReview, onReviewed }) {
  const titleId = uid("item-title");
  return h(
    "li",
    { class: ["review-item", item.reviewed ? "review-item--reviewed" : "review-item--open"], "data-item": item.id },
    h(
      "div",
      { class: "review-item__head" },
      chip("neutral", "info", KIND_LABELS[item.kind] ?? format.capitalise(item.kind)),
      h("h3", { class: "review-item__title", id: titleId }, item.title),
      statusChip("review", item.reviewed ? "reviewed" : "unreviewed"),
    ),
    item.detail && h("p", { class: "review-item__detail" }, item.detail),
    h("dl", { class: "review-item__facts" }, facts(item).map(([term, detail]) =>
      h("div", { class: "review-item__fact" }, h("dt", {}, term), h("dd", {}, detail)))),
    item.limits && typeof item.value === "number" && limitsOf(item),
    item.reviewed
      ? reviewedMark(item.reviewed)
      : canReview && reviewForm({ item, review, user, titleId, onReviewed }),
  );
}

function facts(item) {
  const spec = { unit: item.unit };
  const rows = [];
  if (item.step_title || item.step_id) rows.push(["Step", item.step_title ?? item.step_id]);
  if (item.field) rows.push(["Field", h("code", {}, item.field)]);
  const given = (value) => value !== undefined && value !== null;
  if (given(item.old_value) || given(item.new_value)) {
    rows.push(["Value", h("span", { class: "review-item__change" },
      h("del", {}, format.value(item.old_value, spec)), " → ", h("ins", {}, format.value(item.new_value, spec)))]);
  } else if (given(item.value)) {
    rows.push(["Value", h("span", { class: "value" }, format.value(item.value, spec))]);
  }
  if (item.reason) rows.push(["Reason", item.reason]);
  if (item.by || item.at) {
    rows.push(["Who and when", h("span", {},
      item.by ? `${item.by.full_name} (${item.by.username})` : "—", item.at ? [", ", timeOf(item.at)] : "")]);
  }
  if (item.deviation_id) {
    rows.push(["Deviation", h("span", { class: "review-item__deviation" },
      h("a", { href: `#/deviations/${encodeURIComponent(item.deviation_id)}` }, `Deviation ${item.deviation_number ?? ""}`.trim()),
      item.deviation_status && statusChip("deviation", item.deviation_status))]);
  }
  return rows;
}

function limitsOf(item) {
  const spec = format.limitSpec({ unit: item.unit }, item.limits);
  const hard = format.range(item.limits.min, item.limits.max, spec);
  const alert = format.range(item.limits.alert_min, item.limits.alert_max, spec);
  return h(
    "div",
    { class: "review-item__limits" },
    rangeBar(item.limits, item.value, { unit: item.unit }),
    h("dl", { class: "limits" },
      hard && [h("dt", {}, "Hard"), h("dd", {}, hard)],
      alert && [h("dt", {}, "Alert"), h("dd", {}, alert)]),
  );
}

function reviewedMark(reviewed) {
  return h(
    "div",
    { class: "review-item__mark" },
    h("ul", { class: "signatures", "aria-label": "Review signature" },
      signatureItem(signatureOf(reviewed.by, reviewed.at, reviewed.meaning ?? "reviewed"))),
    reviewed.comment && h("p", { class: "review-item__comment" }, h("span", { class: "label" }, "Comment: "), reviewed.comment),
  );
}

function reviewForm({ item, review, user, titleId, onReviewed }) {
  const comment = field({
    label: "Review comment (optional)",
    control: h("textarea", { name: "review-comment", rows: 2, maxlength: 2000, class: "text-input" }),
  });
  const message = formMessage();
  const button = h("button", { type: "submit", class: "button button--primary", "aria-describedby": titleId }, icon("shield"), "Reviewed");

  async function markReviewed(event) {
    event.preventDefault();
    message.clear();
    button.disabled = true;
    try {
      const text = comment.control.value.trim();
      const { signed, error } = await signAndSend({
        title: item.title,
        meaning: "reviewed",
        user,
        send: (signature) => api.post(
          `/batches/${encodeURIComponent(review.batch_id)}/review/${encodeURIComponent(item.id)}`,
          text ? { signature, comment: text } : { signature },
        ),
      });
      if (error) message.show(error.detail);
      if (signed) onReviewed();
    } finally {
      button.disabled = false;
    }
  }

  return h("form", { class: "review-item__form", novalidate: true, onSubmit: markReviewed }, message.element, comment.element, button);
}
