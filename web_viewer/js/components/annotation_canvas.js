// The drawing surface laid over the live video: the expert draws arrows, circles, rectangles,
// freehand lines and text with the pointer or the keyboard. Coordinates are normalised to the
// frame (0..1 from its left and top edges), so the headset draws them at any resolution.

import { h } from "../dom.js";

const TWO_POINTS = new Set(["arrow", "circle", "rectangle"]);
const MAX_FREEHAND_POINTS = 500;
const MIN_FREEHAND_STEP = 0.004;
const KEY_STEP = 0.02;
const KEY_STEP_LARGE = 0.1;

export const SHAPES = [
  ["arrow", "Arrow"],
  ["circle", "Circle"],
  ["rectangle", "Rectangle"],
  ["freehand", "Freehand"],
  ["text", "Text"],
];

export const KEYBOARD_HINT =
  "With the drawing surface focused: arrow keys move the cross (Shift for larger steps), Enter marks a point. " +
  "An arrow, circle or rectangle takes two points; text is placed with one; a freehand line takes its points and End finishes it. Escape cancels.";

const clamp = (value) => Math.min(1, Math.max(0, value));
const round = (value) => Math.round(value * 10000) / 10000;

/**
 * `video`: the element drawn over; `tool()`: the current {shape, color, text};
 * `onDraw(drawing)`: a finished annotation {shape, points, text, color, frame_timestamp};
 * `onHint(text)`: tell the expert why nothing was drawn.
 */
export class AnnotationCanvas {
  constructor({ video, tool, onDraw, onHint, describedBy }) {
    this.video = video;
    this.tool = tool;
    this.onDraw = onDraw;
    this.onHint = onHint;
    this.annotations = [];
    this.draft = null;
    this.pending = [];
    this.cursor = [0.5, 0.5];
    this.focused = false;
    this.mediaTime = null;
    this.element = h("canvas", {
      class: "annotation-canvas",
      id: "annotation-canvas",
      tabindex: "0",
      role: "application",
      "aria-roledescription": "drawing surface",
      "aria-label": "Draw on the video",
      "aria-describedby": describedBy,
      onPointerdown: (event) => this.pointerDown(event),
      onPointermove: (event) => this.pointerMove(event),
      onPointerup: (event) => this.pointerUp(event),
      onPointercancel: () => this.cancel(),
      onKeydown: (event) => this.keyDown(event),
      onFocus: () => this.setFocused(true),
      onBlur: () => this.setFocused(false),
    });
    this.resizing = new ResizeObserver(() => this.render());
    this.resizing.observe(this.element);
    this.followFrames();
  }

  /** The media time of the frame on screen: what the annotation was drawn on. */
  followFrames() {
    if (typeof this.video.requestVideoFrameCallback !== "function") return;
    const onFrame = (_now, metadata) => {
      this.mediaTime = metadata.mediaTime;
      this.frameRequest = this.video.requestVideoFrameCallback(onFrame);
    };
    this.frameRequest = this.video.requestVideoFrameCallback(onFrame);
  }

  frameTimestamp() {
    const time = this.mediaTime ?? this.video.currentTime;
    return Number.isFinite(time) && time > 0 ? time : 0;
  }

  destroy() {
    this.resizing.disconnect();
    if (this.frameRequest !== undefined) this.video.cancelVideoFrameCallback?.(this.frameRequest);
  }

  /** The annotations to show: every one not cleared. */
  setAnnotations(annotations) {
    this.annotations = annotations.filter((annotation) => !annotation.cleared_at);
    this.render();
  }

  position(event) {
    const box = this.element.getBoundingClientRect();
    if (!box.width || !box.height) return null;
    return [round(clamp((event.clientX - box.left) / box.width)), round(clamp((event.clientY - box.top) / box.height))];
  }

  pointerDown(event) {
    if (event.button !== 0) return;
    const point = this.position(event);
    if (!point) return;
    event.preventDefault();
    this.element.focus({ preventScroll: true });
    const { shape, color, text } = this.tool();
    this.pending = [];
    if (shape === "text") {
      this.placeText(point, color, text);
      return;
    }
    this.element.setPointerCapture(event.pointerId);
    this.draft = { shape, color, points: [point, point], frameTimestamp: this.frameTimestamp() };
    this.render();
  }

  pointerMove(event) {
    if (!this.draft) return;
    const point = this.position(event);
    if (!point) return;
    const points = this.draft.points;
    if (this.draft.shape === "freehand") {
      const last = points[points.length - 1];
      if (Math.hypot(point[0] - last[0], point[1] - last[1]) >= MIN_FREEHAND_STEP) {
        points.push(point);
        if (points.length > MAX_FREEHAND_POINTS) this.draft.points = thinned(points);
      }
    } else {
      points[1] = point;
    }
    this.render();
  }

  pointerUp(event) {
    if (!this.draft) return;
    this.pointerMove(event);
    const draft = this.draft;
    this.draft = null;
    this.finish(draft);
  }

  cancel() {
    this.draft = null;
    this.pending = [];
    this.render();
  }

  placeText(point, color, text) {
    if (!text?.trim()) {
      this.onHint("Type the text first, then choose where it goes.");
      return;
    }
    this.onDraw({ shape: "text", points: [point], text: text.trim(), color, frame_timestamp: this.frameTimestamp() });
  }

  finish(draft) {
    const points = dedupe(draft.points);
    if (points.length < 2) {
      this.onHint(`Drag to draw ${draft.shape === "arrow" ? "an arrow" : `a ${draft.shape}`}: a single point is not enough.`);
      this.render();
      return;
    }
    this.render();
    this.onDraw({ shape: draft.shape, points, color: draft.color, frame_timestamp: draft.frameTimestamp });
  }

  keyDown(event) {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const { shape, color, text } = this.tool();
    if (moves[event.key]) {
      const step = event.shiftKey ? KEY_STEP_LARGE : KEY_STEP;
      const [dx, dy] = moves[event.key];
      this.cursor = [round(clamp(this.cursor[0] + dx * step)), round(clamp(this.cursor[1] + dy * step))];
    } else if (event.key === "Enter" || event.key === " ") {
      this.markPoint(shape, color, text);
    } else if (event.key === "End" && shape === "freehand" && this.pending.length >= 2) {
      this.finish({ shape, color, points: this.pending, frameTimestamp: this.pendingTime });
      this.pending = [];
    } else if (event.key === "Escape" && this.pending.length) {
      this.pending = [];
      this.onHint("Drawing cancelled.");
    } else {
      return;
    }
    event.preventDefault();
    this.render();
  }

  markPoint(shape, color, text) {
    const point = [...this.cursor];
    if (shape === "text") {
      this.placeText(point, color, text);
      return;
    }
    if (this.pending.length === 0) this.pendingTime = this.frameTimestamp();
    this.pending.push(point);
    if (TWO_POINTS.has(shape) && this.pending.length === 2) {
      const points = this.pending;
      this.pending = [];
      this.finish({ shape, color, points, frameTimestamp: this.pendingTime });
    } else if (shape === "freehand" && this.pending.length >= MAX_FREEHAND_POINTS) {
      const points = this.pending;
      this.pending = [];
      this.finish({ shape, color, points, frameTimestamp: this.pendingTime });
    } else {
      this.onHint(`Point ${this.pending.length} marked.`);
    }
  }

  setFocused(focused) {
    this.focused = focused;
    this.render();
  }

  render() {
    const canvas = this.element;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(canvas.clientHeight * ratio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, width, height);
    if (!width || !height) return;
    const paint = new Painter(context, width, height, ratio);
    for (const annotation of this.annotations) paint.shape(annotation);
    if (this.draft) paint.shape(this.draft);
    if (this.focused) {
      const { shape, color } = this.tool();
      if (this.pending.length) paint.shape({ shape, color, points: [...this.pending, this.cursor] });
      paint.cursor(this.cursor);
    }
  }
}

/** Every other point of a long line, keeping its ends. */
function thinned(points) {
  const kept = points.filter((_, index) => index % 2 === 0);
  if (kept[kept.length - 1] !== points[points.length - 1]) kept.push(points[points.length - 1]);
  return kept;
}

function dedupe(points) {
  return points.filter((point, index) => index === 0 || point[0] !== points[index - 1][0] || point[1] !== points[index - 1][1]);
}

/** Draws annotations in canvas pixels: each stroke over a dark halo, legible on any scene. */
class Painter {
  constructor(context, width, height, ratio) {
    this.context = context;
    this.width = width;
    this.height = height;
    this.ratio = ratio;
  }

  at([x, y]) {
    return [x * this.width, y * this.height];
  }

  stroke(color, path) {
    const context = this.context;
    context.lineCap = "round";
    context.lineJoin = "round";
    for (const [style, width] of [["rgb(0 0 0 / 55%)", 6], [color, 3]]) {
      context.strokeStyle = style;
      context.lineWidth = width * this.ratio;
      context.beginPath();
      path(context);
      context.stroke();
    }
  }

  shape({ shape, color, points, text }) {
    if (!points?.length) return;
    const [first, second] = [this.at(points[0]), points[1] && this.at(points[1])];
    if (shape === "text") {
      this.text(first, text ?? "", color);
    } else if (shape === "arrow" && second) {
      this.stroke(color, (c) => arrowPath(c, first, second, 16 * this.ratio));
    } else if (shape === "circle" && second) {
      const radius = Math.hypot(second[0] - first[0], second[1] - first[1]);
      this.stroke(color, (c) => c.arc(first[0], first[1], radius, 0, 2 * Math.PI));
    } else if (shape === "rectangle" && second) {
      this.stroke(color, (c) => c.rect(first[0], first[1], second[0] - first[0], second[1] - first[1]));
    } else if (shape === "freehand") {
      this.stroke(color, (c) => {
        c.moveTo(...first);
        for (const point of points.slice(1)) c.lineTo(...this.at(point));
      });
    }
  }

  text([x, y], text, color) {
    const context = this.context;
    const size = 18 * this.ratio;
    context.font = `600 ${size}px system-ui, sans-serif`;
    context.textBaseline = "top";
    const padding = 4 * this.ratio;
    const width = context.measureText(text).width;
    context.fillStyle = "rgb(0 0 0 / 65%)";
    context.fillRect(x - padding, y - padding, width + 2 * padding, size + 2 * padding);
    context.fillStyle = color;
    context.fillText(text, x, y);
  }

  cursor(point) {
    const [x, y] = this.at(point);
    const arm = 12 * this.ratio;
    this.stroke("#ffffff", (c) => {
      c.moveTo(x - arm, y);
      c.lineTo(x + arm, y);
      c.moveTo(x, y - arm);
      c.lineTo(x, y + arm);
    });
  }
}

function arrowPath(context, [x0, y0], [x1, y1], head) {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  context.moveTo(x0, y0);
  context.lineTo(x1, y1);
  for (const side of [-1, 1]) {
    context.moveTo(x1, y1);
    context.lineTo(x1 - head * Math.cos(angle + side * 0.45), y1 - head * Math.sin(angle + side * 0.45));
  }
}
