// The console's video panel: the stream watched by WHEP, restarted when it goes live again,
// and for experts a drawing surface over it whose shapes go to the operator.

import { h, uid } from "../dom.js";
import { AnnotationCanvas, KEYBOARD_HINT, SHAPES } from "../components/annotation_canvas.js";
import { shapeName } from "../components/annotations.js";
import { icon } from "../components/icons.js";
import { watch } from "../webrtc.js";

const DEFAULT_COLOR = "#ff3b30";

/**
 * The panel of `streamId`: {element, setAnnotations(shown), start(), ended(), close()}.
 * `onDraw(annotation)` stores a drawn annotation (answers it stored); without it (not an
 * expert) nothing is drawn. `onConnected()` is called when the video connects.
 */
export function videoPanel({ streamId, batchNumber, onDraw, onConnected }) {
  const video = h("video", {
    class: "console-video",
    id: "console-video",
    autoplay: true,
    playsinline: true,
    "aria-label": `Live video of batch ${batchNumber}`,
  });
  video.muted = true; // autoplay needs it; talk-back goes the other way
  const stage = h("div", { class: "console-stage" }, video);
  video.addEventListener("resize", () => {
    // A number (not "w / h"): the stylesheet sizes the stage from it to fit the screen's height.
    if (video.videoWidth && video.videoHeight) stage.style.setProperty("--video-ratio", String(video.videoWidth / video.videoHeight));
  });
  const status = h("p", { class: "console-status", role: "status", id: "video-status" });
  const retry = h("button", { type: "button", class: "button", id: "watch-again", hidden: true, onClick: () => start() }, icon("reconnect"), "Watch again");
  const drawing = onDraw ? drawingSurface(video, onDraw) : null;
  if (drawing) stage.append(drawing.canvas.element);

  const element = h(
    "section",
    { class: "panel console-watch", "aria-labelledby": "console-video-title" },
    h("h2", { id: "console-video-title" }, "Live video"),
    stage,
    h("div", { class: "console-watch__status" }, status, retry),
    drawing ? drawing.controls : h("p", { class: "muted" }, "Only remote experts draw on the video."),
  );

  let session = null;
  let closed = false;
  let attempt = 0;

  async function start() {
    const mine = ++attempt;
    retry.hidden = true;
    status.textContent = "Connecting to the stream…";
    session?.close();
    session = null;
    try {
      const opened = await watch(streamId, { onState: (connection) => follow(mine, connection) });
      if (closed || mine !== attempt) {
        opened.close();
        return;
      }
      session = opened;
      video.srcObject = opened.stream;
    } catch (error) {
      if (closed || mine !== attempt) return;
      status.textContent = error.status === 404
        ? "This stream is not live. It starts here by itself when the operator streams again."
        : `Cannot watch the stream: ${error.detail ?? error}`;
      retry.hidden = error.status === 404;
    }
  }

  function follow(mine, connection) {
    if (mine !== attempt) return;
    if (connection === "connected") {
      status.textContent = "Watching live.";
      onConnected();
    }
    if (connection === "disconnected") status.textContent = "The connection is interrupted; waiting for it to recover…";
    if (connection === "failed") {
      status.textContent = "The connection to the stream was lost.";
      retry.hidden = false;
    }
  }

  return {
    element,
    /** Whether a session with the server is open. */
    get watching() {
      return session !== null;
    },
    start,
    /** The server ended the stream: stop showing it until it goes live again. */
    ended() {
      attempt += 1;
      session?.close({ ended: true });
      session = null;
      video.srcObject = null;
      status.textContent = "The stream has ended. It starts here by itself when the operator streams again.";
      retry.hidden = true;
    },
    setAnnotations(shown) {
      drawing?.canvas.setAnnotations(shown);
    },
    close() {
      closed = true;
      session?.close();
      drawing?.canvas.destroy();
    },
  };
}

/** The canvas over `video` and its controls (shape, colour, text) with what was sent. */
function drawingSurface(video, onDraw) {
  const tools = drawingTools();
  const message = h("p", { class: "console-status", role: "status", id: "draw-message" });
  const canvas = new AnnotationCanvas({
    video,
    tool: tools.current,
    describedBy: tools.hintId,
    onDraw: async (annotation) => {
      message.textContent = `Sending the ${shapeName(annotation).toLowerCase()}…`;
      try {
        message.textContent = `${shapeName(await onDraw(annotation))} sent to the operator.`;
      } catch (error) {
        message.textContent = `Not sent: ${error.detail ?? error}`;
        canvas.render();
      }
    },
    onHint: (text) => {
      message.textContent = text;
    },
  });
  return { canvas, controls: [tools.element, message] };
}

/** The drawing controls: shape, colour and text; `current()` reads them. */
function drawingTools() {
  const hintId = uid("draw-hint");
  const textId = uid("draw-text");
  const colorId = uid("draw-color");
  const shapes = SHAPES.map(([value, label], index) => {
    const id = uid(`shape-${value}`);
    return h("span", { class: "console-draw__shape" },
      h("input", { type: "radio", name: "shape", id, value, checked: index === 0 }),
      h("label", { for: id }, label));
  });
  const color = h("input", { type: "color", id: colorId, name: "color", value: DEFAULT_COLOR });
  const text = h("input", { type: "text", id: textId, name: "text", maxlength: "200", autocomplete: "off" });
  const element = h(
    "fieldset",
    { class: "fieldset console-draw" },
    h("legend", {}, "Draw on the video"),
    h("div", { class: "console-draw__shapes", role: "radiogroup", "aria-label": "Shape" }, shapes),
    h("div", { class: "console-draw__options" },
      h("div", { class: "field console-draw__color" }, h("label", { class: "field__label", for: colorId }, "Colour"), color),
      h("div", { class: "field console-draw__text" }, h("label", { class: "field__label", for: textId }, "Text of a text annotation"), text)),
    h("p", { class: "field__hint", id: hintId }, "Drag on the video to draw; for text, type it first and click where it goes. ", KEYBOARD_HINT),
  );
  return {
    element,
    hintId,
    current: () => ({
      shape: element.querySelector('input[name="shape"]:checked')?.value ?? "arrow",
      color: color.value,
      text: text.value,
    }),
  };
}
