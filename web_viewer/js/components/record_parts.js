// Parts of the batch record: signatures (with their manifestation), deviations, who and when.

import { h } from "../dom.js";
import * as format from "../format.js";
import { icon } from "./icons.js";
import { statusChip } from "./status.js";

export function timeOf(iso) {
  return h("time", { datetime: iso, title: iso }, format.dateTime(iso));
}

/** A time shown in UTC, as signatures are (21 CFR 11.50). */
export function utcTimeOf(iso) {
  return h("time", { datetime: iso, title: iso }, format.utcDateTime(iso));
}

/** The signature shape of a person's mark ({by, at}) with its `meaning`. */
export function signatureOf(by, at, meaning) {
  return { full_name: by?.full_name ?? "Unknown", username: by?.username ?? "?", meaning, signed_at: at };
}

/**
 * An e-signature as 21 CFR 11.50 asks: printed name, date and time, meaning. A signature a
 * later correction superseded stays, struck through and labelled with the revisions it signed.
 */
export function signatureItem(signature) {
  const name = `${signature.full_name} (${signature.username})`;
  return h(
    "li",
    { class: ["signature", signature.superseded && "signature--superseded"] },
    icon("shield", "signature__icon"),
    h(
      "div",
      { class: "signature__body" },
      h("span", { class: "signature__name" }, signature.superseded ? h("del", {}, name) : name),
      h("span", { class: "signature__meaning" }, `Signed: ${format.capitalise(signature.meaning)}`),
      utcTimeOf(signature.signed_at),
      signature.superseded &&
        h("span", { class: "signature__superseded" }, `Superseded by a correction: applies to ${revisions(signature.revisions)}`),
    ),
  );
}

function revisions(signed) {
  const names = Object.entries(signed ?? {});
  if (!names.length) return "no recorded value";
  return names.map(([name, revision]) => `${name} revision ${revision}`).join(", ");
}

export function signatureList(signatures) {
  if (!signatures?.length) return null;
  return h("ul", { class: "signatures", "aria-label": "Electronic signatures" }, signatures.map(signatureItem));
}

/** A deviation, highlighted; its comment is the operator's justification. */
export function deviationCard(deviation, { stepTitle, showComment = true } = {}) {
  return h(
    "article",
    {
      class: ["deviation", `deviation--${deviation.severity}`],
      "aria-label": `Deviation ${deviation.number}`,
    },
    h(
      "header",
      { class: "deviation__head" },
      icon("alert", "deviation__icon"),
      h("a", { class: "deviation__number", href: `#/deviations/${encodeURIComponent(deviation.id)}` }, `Deviation ${deviation.number}`),
      statusChip("severity", deviation.severity),
      statusChip("deviation", deviation.status),
    ),
    h("p", { class: "deviation__title" }, deviation.title),
    h("p", { class: "deviation__detail" }, deviation.detail),
    showComment && deviation.comment &&
      h("p", { class: "deviation__comment" }, h("span", { class: "label" }, "Justification: "), deviation.comment),
    h(
      "p",
      { class: "deviation__meta" },
      stepTitle ? `Step: ${stepTitle} · opened ` : "Opened ",
      timeOf(deviation.opened_at),
    ),
  );
}
