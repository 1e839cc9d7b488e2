// Annotations that remote experts draw on the live video, over the local camera preview, and
// the same as a numbered list in words (the drawing alone would be colour and shape only).
// Points are normalised frame coordinates (0..1): an arrow's tail and head, a circle's centre
// and a point on its edge, a rectangle's opposite corners, a freehand line, a text's start.

import { h, replace, svg } from "../dom.js";
import { liveNumbers, shapeName } from "./annotations.js";
import { icon } from "./icons.js";
import { chip } from "./status.js";

const DEFAULT_COLOR = "#ffcc00";
const SAFE_COLOR = /^(#[0-9a-f]{3,8}|[a-z]{3,20})$/i;

export class AnnotationLayer {
  /**
   * `onAcknowledge(annotation)` tells the server the operator has seen it and answers the
   * annotation as the server now has it.
   */
  constructor({ onAcknowledge }) {
    this.onAcknowledge = onAcknowledge;
    this.annotations = new Map();
    this.size = { width: 640, height: 480 };
    this.overlay = svg("svg", {
      class: "camera__overlay",
      viewBox: "0 0 640 480",
      preserveAspectRatio: "xMidYMid meet",
      role: "img",
      "aria-label": "No annotations",
    });
    this.items = h("ol", { class: "annotations__list", id: "annotations-list" });
    this.empty = h("p", { class: "muted" }, "No annotations from the experts.");
    this.element = h(
      "section",
      { class: "annotations", "aria-labelledby": "annotations-title" },
      h("h3", { id: "annotations-title" }, "Annotations"),
      this.empty,
      this.items,
    );
    this.render();
  }

  /** The picture's size, so the drawing lines up with the preview (object-fit: contain). */
  setFrameSize({ width, height }) {
    if (!width || !height) return;
    this.size = { width, height };
    this.overlay.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.render();
  }

  /** Show `annotation` as the server has it now (created, moved, acknowledged or cleared). */
  apply(annotation) {
    if (!annotation?.id) return;
    if (annotation.cleared_at) this.annotations.delete(annotation.id);
    else this.annotations.set(annotation.id, annotation);
    this.render();
  }

  /** Show exactly `annotations` (the batch's list, read again after a reconnection). */
  replaceAll(annotations) {
    this.annotations = new Map(annotations.filter((a) => !a.cleared_at).map((a) => [a.id, a]));
    this.render();
  }

  render() {
    // Numbered as the expert's console numbers them, in the order they were drawn.
    const numbers = liveNumbers(this.annotations.values());
    const shown = [...this.annotations.values()].sort((a, b) => numbers.get(a.id) - numbers.get(b.id));
    replace(this.overlay, shown.map((annotation) => this.drawing(annotation, numbers.get(annotation.id))));
    this.overlay.setAttribute(
      "aria-label",
      shown.length ? `${shown.length} ${shown.length === 1 ? "annotation" : "annotations"} drawn on the picture, listed below` : "No annotations",
    );
    this.empty.hidden = shown.length > 0;
    replace(this.items, shown.map((annotation) => this.item(annotation, numbers.get(annotation.id))));
  }

  point([x, y]) {
    return [x * this.size.width, y * this.size.height];
  }

  drawing(annotation, number) {
    const color = SAFE_COLOR.test(annotation.color ?? "") ? annotation.color : DEFAULT_COLOR;
    const points = (annotation.points ?? []).filter(isPoint).map((p) => this.point(p));
    if (!points.length) return null;
    const stroke = Math.max(this.size.height / 120, 2);
    const paint = { stroke: color, "stroke-width": stroke, fill: "none" };
    const [first, last] = [points[0], points[points.length - 1]];
    const [x1, y1] = first;
    const [x2, y2] = points.length > 1 ? points[1] : first;
    const shapes = {
      arrow: () => [
        svg("line", { ...paint, x1, y1, x2: last[0], y2: last[1] }),
        svg("polygon", { fill: color, points: arrowHead(first, last, stroke * 5) }),
      ],
      circle: () => svg("circle", { ...paint, cx: x1, cy: y1, r: Math.hypot(x2 - x1, y2 - y1) }),
      rectangle: () => svg("rect", {
        ...paint, x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1),
      }),
      freehand: () => svg("polyline", { ...paint, points: points.map((p) => p.join(",")).join(" ") }),
      text: () => svg("text", { class: "annotation__text", x: x1, y: y1, fill: color, "font-size": this.textSize(x1, annotation.text) },
        annotation.text ?? ""),
    };
    const badgeRadius = this.size.height / 36;
    return svg(
      "g",
      { class: "annotation", "data-annotation": annotation.id, "data-shape": annotation.shape },
      (shapes[annotation.shape] ?? shapes.freehand)(),
      svg("circle", { class: "annotation__badge", cx: x1, cy: y1 - badgeRadius * 1.6, r: badgeRadius }),
      svg("text", {
        class: "annotation__number", x: x1, y: y1 - badgeRadius * 1.6, "font-size": badgeRadius * 1.3,
        "text-anchor": "middle", "dominant-baseline": "central",
      }, String(number)),
    );
  }

  /** A font size at which `text` starting at `x` fits in the picture (SVG text does not wrap). */
  textSize(x, text) {
    const room = this.size.width - x - this.size.width * 0.02;
    const fits = room / (0.6 * Math.max(String(text ?? "").length, 1));
    return Math.max(Math.min(this.size.height / 18, fits), this.size.height / 60);
  }

  item(annotation, number) {
    const seen = Boolean(annotation.acknowledged_at);
    const message = h("p", { class: "field__error", role: "alert", hidden: true });
    const button = !seen && h(
      "button",
      {
        type: "button",
        class: "button op-button",
        onClick: async () => {
          button.disabled = true;
          message.hidden = true;
          try {
            this.apply(await this.onAcknowledge(annotation));
          } catch (error) {
            button.disabled = false;
            replace(message, icon("alert"), h("span", {}, error.detail ?? String(error)));
            message.hidden = false;
          }
        },
      },
      icon("check"),
      `Got it: annotation ${number}`,
    );
    const who = annotation.created_by?.full_name ?? annotation.created_by?.username ?? "An expert";
    return h(
      "li",
      { class: "annotations__item", "data-annotation": annotation.id },
      h("span", { class: "annotations__number", "aria-hidden": "true" }, String(number)),
      h(
        "div",
        { class: "annotations__body" },
        h("p", {}, h("span", { class: "visually-hidden" }, `Annotation ${number}: `),
          h("strong", {}, shapeName(annotation)), ` from ${who}`,
          annotation.anchor === "code" ? " (on the scanned code)" : ""),
        annotation.text ? h("p", { class: "annotations__text" }, annotation.text) : null,
        seen ? chip("ok", "check", `Acknowledged by ${annotation.acknowledged_by?.full_name ?? "the operator"}`) : button,
        message,
      ),
    );
  }
}

function isPoint(point) {
  return Array.isArray(point) && point.length >= 2 && point.every((v) => typeof v === "number" && Number.isFinite(v));
}

function arrowHead([x1, y1], [x2, y2], size) {
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const corner = (turn) => [x2 - size * Math.cos(angle + turn), y2 - size * Math.sin(angle + turn)];
  return [[x2, y2], corner(0.45), corner(-0.45)].map((p) => p.join(",")).join(" ");
}
