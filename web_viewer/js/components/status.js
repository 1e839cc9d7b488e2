// Status chips: a word and an icon on a tinted background; the colour is never the only cue.

import { h } from "../dom.js";
import { icon } from "./icons.js";

const TONES = {
  step: {
    pending: ["neutral", "circle", "Pending"],
    active: ["active", "play", "In progress"],
    completed: ["ok", "check", "Completed"],
    skipped: ["muted", "skip", "Skipped"],
  },
  batch: {
    created: ["neutral", "circle", "Created"],
    in_progress: ["active", "play", "In progress"],
    on_hold: ["warn", "pause", "On hold"],
    completed: ["ok", "check", "Completed"],
    released: ["ok", "shield", "Released"],
    rejected: ["danger", "ban", "Rejected"],
  },
  deviation: {
    open: ["warn", "alert", "Open"],
    investigating: ["active", "search", "Investigating"],
    closed: ["ok", "check", "Closed"],
    cancelled: ["muted", "ban", "Cancelled"],
  },
  review: {
    reviewed: ["ok", "check", "Reviewed"],
    unreviewed: ["warn", "eye", "To review"],
  },
  version: {
    draft: ["neutral", "pencil", "Draft"],
    in_review: ["warn", "eye", "In review"],
    approved: ["ok", "shield", "Approved"],
    retired: ["muted", "archive", "Retired"],
  },
  redline: {
    proposed: ["warn", "eye", "Proposed"],
    approved: ["ok", "shield", "Approved"],
    rejected: ["muted", "ban", "Rejected"],
  },
  result: {
    ok: ["ok", "check", "Within limits"],
    alert: ["warn", "alert", "Alert range"],
    out: ["danger", "ban", "Outside limits"],
  },
  lot: {
    quarantine: ["warn", "lock", "Quarantine"],
    released: ["ok", "check", "Released"],
    rejected: ["danger", "ban", "Rejected"],
  },
  supplier_lot: {
    received: ["neutral", "truck", "Received"],
  },
  order: {
    planned: ["neutral", "circle", "Planned"],
    started: ["active", "play", "Started"],
    completed: ["ok", "check", "Completed"],
  },
  webhook: {
    active: ["ok", "check", "Active"],
    inactive: ["muted", "ban", "Unsubscribed"],
  },
  delivery: {
    pending: ["warn", "clock", "Retrying"],
    delivered: ["ok", "check", "Delivered"],
    abandoned: ["danger", "ban", "Given up"],
  },
  severity: {
    minor: ["warn", "alert", "Minor"],
    major: ["danger", "alert", "Major"],
    critical: ["danger", "ban", "Critical"],
  },
};

/**
 * A chip for a known status of `family` ("step", "batch", "version", "result", "lot",
 * "supplier_lot", "severity", "deviation", "review").
 */
export function statusChip(family, status, { prefix } = {}) {
  const [tone, iconName, label] = TONES[family]?.[status] ?? [
    "neutral",
    "info",
    String(status ?? "").replaceAll("_", " "),
  ];
  return chip(tone, iconName, prefix ? `${prefix} ${label.toLowerCase()}` : label, {
    "data-status": status,
  });
}

/** A chip with any tone, icon and text. */
export function chip(tone, iconName, text, attrs = {}) {
  return h("span", { class: ["chip", `chip--${tone}`], ...attrs }, icon(iconName), h("span", {}, text));
}
