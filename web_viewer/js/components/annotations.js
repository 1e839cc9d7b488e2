// Annotations as the record lists them: what was drawn, by whom, on which step, and whether
// the operator acknowledged it or an expert cleared it (in words and icons, not colour alone).

import { h } from "../dom.js";
import { icon } from "./icons.js";
import { timeOf } from "./record_parts.js";
import { chip } from "./status.js";

const SHAPE_NAMES = {
  arrow: "Arrow",
  circle: "Circle",
  rectangle: "Rectangle",
  freehand: "Freehand line",
  text: "Text",
};

export function shapeName(annotation) {
  return SHAPE_NAMES[annotation.shape] ?? annotation.shape;
}

/**
 * The number of each annotation still on the video (id → number), the one rule the console,
 * the record and the operator's page share: per stream, in the order they were drawn, counting
 * only those not cleared. Cleared annotations have none.
 */
export function liveNumbers(annotations) {
  const numbers = new Map();
  const counts = new Map();
  const drawn = [...annotations].sort((a, b) => (a.created_at ?? "").localeCompare(b.created_at ?? ""));
  for (const annotation of drawn) {
    if (annotation.cleared_at) continue;
    const number = (counts.get(annotation.stream_id) ?? 0) + 1;
    counts.set(annotation.stream_id, number);
    numbers.set(annotation.id, number);
  }
  return numbers;
}

/** "Arrow 2" while on the video, "Arrow" once cleared (`numbers` from liveNumbers). */
function numberedName(annotation, numbers) {
  const number = numbers.get(annotation.id);
  return number ? `${shapeName(annotation)} ${number}` : shapeName(annotation);
}

function person(who) {
  return who ? `${who.full_name} (${who.username})` : "unknown";
}

function stateChip(annotation) {
  if (annotation.cleared_at) return chip("muted", "ban", "Cleared", { "data-state": "cleared" });
  if (annotation.acknowledged_at) return chip("ok", "check", "Acknowledged", { "data-state": "acknowledged" });
  return chip("active", "eye", "On the video", { "data-state": "shown" });
}

/**
 * A list of annotations, newest last. `titles`: step id → title; `onClear(annotation, button)`
 * adds a Clear button to those still on the video.
 */
export function annotationList(annotations, { titles = new Map(), onClear } = {}) {
  if (annotations.length === 0) {
    return h("p", { class: "muted" }, "No annotations have been drawn on this batch's video.");
  }
  const numbers = liveNumbers(annotations);
  return h(
    "ol",
    { class: "annotation-list", "aria-label": "Annotations" },
    annotations.map((annotation) => {
      const label = numberedName(annotation, numbers);
      return h(
        "li",
        { class: ["annotation-list__item", annotation.cleared_at && "annotation-list__item--cleared"], "data-annotation": annotation.id },
        h(
          "div",
          { class: "annotation-list__head" },
          swatch(annotation.color),
          h("span", { class: "annotation-list__name" }, label),
          annotation.text && h("span", { class: "annotation-list__text" }, `“${annotation.text}”`),
          stateChip(annotation),
          annotation.anchor === "code" && chip("info", "scan", "Follows a code"),
        ),
        h(
          "p",
          { class: "annotation-list__meta" },
          `Drawn by ${person(annotation.created_by)}`,
          annotation.step_id && ` on “${titles.get(annotation.step_id) ?? annotation.step_id}”`,
          ", ",
          timeOf(annotation.created_at),
        ),
        annotation.acknowledged_at &&
          h("p", { class: "annotation-list__meta" }, icon("check"), ` Acknowledged by ${person(annotation.acknowledged_by)}, `, timeOf(annotation.acknowledged_at)),
        annotation.cleared_at &&
          h("p", { class: "annotation-list__meta" }, icon("ban"), ` Cleared by ${person(annotation.cleared_by)}, `, timeOf(annotation.cleared_at)),
        onClear && !annotation.cleared_at &&
          h(
            "button",
            {
              type: "button",
              class: "button button--quiet annotation-list__clear",
              onClick: (event) => onClear(annotation, event.currentTarget),
            },
            icon("ban"),
            "Clear",
            h("span", { class: "visually-hidden" }, ` ${label}`),
          ),
      );
    }),
  );
}

/** The drawing's colour (CSSOM: the CSP forbids style attributes, not this). */
function swatch(color) {
  const element = h("span", { class: "annotation-list__swatch", "aria-hidden": "true" });
  element.style.backgroundColor = color;
  return element;
}
