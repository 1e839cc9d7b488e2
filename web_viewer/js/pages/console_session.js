// The expert console on one live stream: the video (WHEP) with a drawing surface over it, the
// batch's progress and values beside it, annotations, chat, snapshot, recording, talk-back.
// Everything follows the batch's events live.

import { api, unlessUnreachable } from "../api.js";
import { append, h, replace, uid } from "../dom.js";
import { AnnotationCanvas, KEYBOARD_HINT, SHAPES } from "../components/annotation_canvas.js";
import { annotationList, shapeName } from "../components/annotations.js";
import { chatForm, chatLog } from "../components/chat.js";
import { coalesced } from "../components/coalesced.js";
import { icon } from "../components/icons.js";
import { progressBar } from "../components/progress.js";
import { statusChip } from "../components/status.js";
import { stepCard } from "../components/step_card.js";
import { streamChip } from "./console.js";
import { mediaTools } from "./console_tools.js";
import { watch } from "./console_webrtc.js";

const EXPERTS = new Set(["supervisor", "qa", "author", "admin"]);
const DEFAULT_COLOR = "#ff3b30";

export async function show(ctx) {
  ctx.setSection("console");
  const streamId = ctx.params[0];
  const batchId = streamId.split(".")[0];
  const path = `/batches/${encodeURIComponent(batchId)}`;
  const expert = ctx.user.roles.some((role) => EXPERTS.has(role));
  const state = { batch: null, annotations: [], messages: [], stream: null };
  const titles = () => new Map((state.batch?.steps ?? []).map((step) => [step.step_id, step.title]));

  [state.batch, state.annotations, state.messages, state.stream] = await Promise.all([
    api.get(path),
    api.get(`${path}/annotations`),
    api.get(`${path}/chat`),
    findStream(streamId),
  ]);
  if (!ctx.isCurrent()) return undefined;
  ctx.setTitle(`Console · ${state.batch.batch_number}`);

  // ---------- Video and drawing ----------
  const video = h("video", {
    class: "console-video",
    id: "console-video",
    autoplay: true,
    playsinline: true,
    "aria-label": `Live video of batch ${state.batch.batch_number}`,
  });
  video.muted = true; // autoplay needs it; talk-back goes the other way
  const stage = h("div", { class: "console-stage" }, video);
  video.addEventListener("resize", () => {
    if (video.videoWidth && video.videoHeight) stage.style.aspectRatio = `${video.videoWidth} / ${video.videoHeight}`;
  });
  const videoStatus = h("p", { class: "console-status", role: "status", id: "video-status" });
  const retry = h("button", { type: "button", class: "button", id: "watch-again", hidden: true, onClick: () => startWatching() }, icon("reconnect"), "Watch again");
  const drawMessage = h("p", { class: "console-status", role: "status", id: "draw-message" });
  const drawing = expert ? drawingTools() : null;
  const canvas = expert
    ? new AnnotationCanvas({
        video,
        tool: drawing.current,
        describedBy: drawing.hintId,
        onDraw: (annotation) => sendAnnotation(annotation),
        onHint: (text) => {
          drawMessage.textContent = text;
        },
      })
    : null;
  if (canvas) stage.append(canvas.element);

  // ---------- Side panels ----------
  const facts = h("div", { class: "console-head__facts" });
  const head = h(
    "header",
    { class: "console-head" },
    h("div", {},
      h("p", { class: "eyebrow" }, "Expert console"),
      h("h1", { tabindex: "-1" }, `Batch ${state.batch.batch_number}`, streamId.includes(".") ? ` · ${streamId.split(".")[1]}` : "")),
    facts,
  );
  const batchPanel = h("section", { class: "panel console-batch", "aria-labelledby": "console-batch-title" });
  const annotationsBody = h("div", { class: "console-annotations" });
  const annotationMessage = h("p", { class: "field__error", role: "alert", hidden: true });
  const chatBody = h("div", { class: "console-chat__log" });
  const tools = expert ? mediaTools({ streamId, batchId, titles }) : null;

  append(
    ctx.main,
    h("a", { class: "back-link", href: "#/console" }, icon("back"), "All live sessions"),
    head,
    h(
      "div",
      { class: "console-grid" },
      h(
        "div",
        { class: "console-main" },
        h(
          "section",
          { class: "panel console-watch", "aria-labelledby": "console-video-title" },
          h("h2", { id: "console-video-title" }, "Live video"),
          stage,
          h("div", { class: "console-watch__status" }, videoStatus, retry),
          drawing ? [drawing.element, drawMessage] : h("p", { class: "muted" }, "Only experts (supervisor, QA, author, admin) draw on the video."),
        ),
        tools?.element,
      ),
      h(
        "div",
        { class: "console-side" },
        batchPanel,
        h(
          "section",
          { class: "panel", "aria-labelledby": "console-annotations-title" },
          h("h2", { id: "console-annotations-title", tabindex: "-1" }, "Annotations"),
          annotationMessage,
          annotationsBody,
        ),
        h(
          "section",
          { class: "panel console-chat", "aria-labelledby": "console-chat-title" },
          h("h2", { id: "console-chat-title" }, "Chat"),
          chatBody,
          chatForm({ onSend: (text) => sendMessage(text) }),
        ),
      ),
    ),
  );

  function renderHead() {
    const stream = state.stream;
    replace(
      facts,
      streamChip(Boolean(stream)),
      stream && h("span", {}, icon("user"), ` Streamed by ${stream.publisher}`),
      stream && h("span", {}, icon("eye"), ` ${stream.viewers} ${stream.viewers === 1 ? "viewer" : "viewers"}`),
      h("a", { href: `#/batches/${encodeURIComponent(batchId)}` }, "Open the batch record"),
    );
  }

  function renderBatch() {
    ctx.preservingFocus(() => replace(batchPanel, batchProgress(state.batch)));
  }

  function streamAnnotations() {
    return state.annotations.filter((annotation) => annotation.stream_id === streamId);
  }

  function renderAnnotations() {
    const shown = streamAnnotations();
    canvas?.setAnnotations(shown);
    ctx.preservingFocus(() => replace(annotationsBody, annotationList(shown, {
      titles: titles(),
      onClear: expert ? (annotation, button) => clearAnnotation(annotation, button) : undefined,
    })));
  }

  function renderChat() {
    replace(chatBody, chatLog(state.messages, { titles: titles() }));
    chatBody.scrollTop = chatBody.scrollHeight;
  }

  function upsert(list, item) {
    const index = list.findIndex((known) => known.id === item.id);
    if (index === -1) list.push(item);
    else list[index] = item;
  }

  async function sendAnnotation(annotation) {
    drawMessage.textContent = `Sending the ${shapeName(annotation).toLowerCase()}…`;
    try {
      const stored = await api.post(`${path}/annotations`, { ...annotation, stream_id: streamId });
      upsert(state.annotations, stored);
      renderAnnotations();
      drawMessage.textContent = `${shapeName(stored)} sent to the operator.`;
    } catch (error) {
      drawMessage.textContent = `Not sent: ${error.detail ?? error}`;
      canvas?.render();
    }
  }

  async function clearAnnotation(annotation, button) {
    button.disabled = true;
    annotationMessage.hidden = true;
    try {
      upsert(state.annotations, await api.post(`${path}/annotations/${encodeURIComponent(annotation.id)}/clear`, {}));
      renderAnnotations();
      document.getElementById("console-annotations-title")?.focus();
      ctx.announce(`${shapeName(annotation)} cleared.`);
    } catch (error) {
      button.disabled = false;
      annotationMessage.textContent = `Not cleared: ${error.detail}`;
      annotationMessage.hidden = false;
    }
  }

  async function sendMessage(text) {
    upsert(state.messages, await api.post(`${path}/chat`, { text }));
    renderChat();
  }

  // ---------- Watching ----------
  let session = null;
  let left = false;
  let attempt = 0;

  async function startWatching() {
    const mine = ++attempt;
    retry.hidden = true;
    videoStatus.textContent = "Connecting to the stream…";
    session?.close();
    session = null;
    try {
      const opened = await watch(streamId, { onState: (connection) => followConnection(mine, connection) });
      if (left || mine !== attempt) {
        opened.close();
        return;
      }
      session = opened;
      video.srcObject = opened.stream;
    } catch (error) {
      if (left || mine !== attempt) return;
      videoStatus.textContent = error.status === 404
        ? "This stream is not live. It starts here by itself when the operator streams again."
        : `Cannot watch the stream: ${error.detail ?? error}`;
      retry.hidden = error.status === 404;
    }
  }

  function followConnection(mine, connection) {
    if (mine !== attempt) return;
    if (connection === "connected") {
      videoStatus.textContent = "Watching live.";
      refreshStream(); // the viewer count now includes this console
    }
    if (connection === "disconnected") videoStatus.textContent = "The connection is interrupted; waiting for it to recover…";
    if (connection === "failed") {
      videoStatus.textContent = "The connection to the stream was lost.";
      retry.hidden = false;
    }
  }

  function streamEnded() {
    attempt += 1;
    session?.close({ ended: true });
    session = null;
    video.srcObject = null;
    videoStatus.textContent = "The stream has ended. It starts here by itself when the operator streams again.";
    retry.hidden = true;
  }

  // ---------- Live events ----------
  const onError = unlessUnreachable(ctx.reportError);
  const reloadBatch = coalesced(async () => {
    const batch = await api.get(path);
    if (!ctx.isCurrent()) return;
    state.batch = batch;
    renderBatch();
  }, { isCurrent: ctx.isCurrent, onError });
  const resync = coalesced(async () => {
    const [batch, annotations, messages, stream] = await Promise.all([
      api.get(path), api.get(`${path}/annotations`), api.get(`${path}/chat`), findStream(streamId),
    ]);
    if (!ctx.isCurrent()) return;
    Object.assign(state, { batch, annotations, messages, stream });
    renderHead();
    renderBatch();
    renderAnnotations();
    renderChat();
    if (stream && !session) startWatching();
  }, { isCurrent: ctx.isCurrent, onError });

  const refreshStream = coalesced(async () => {
    const stream = await findStream(streamId);
    if (!ctx.isCurrent()) return;
    state.stream = stream;
    renderHead();
  }, { isCurrent: ctx.isCurrent, onError });

  function onEvent(event) {
    if (event.type === "annotation") {
      if (event.action === "moved") {
        const known = state.annotations.find((annotation) => annotation.id === event.annotation.id);
        if (known) known.points = event.annotation.points;
      } else {
        upsert(state.annotations, event.annotation);
      }
      renderAnnotations();
    } else if (event.type === "chat") {
      upsert(state.messages, event.message);
      renderChat();
    } else if (event.type === "stream") {
      if (event.stream_id !== streamId) return;
      refreshStream();
      if (event.state === "ended") streamEnded();
      if (event.state === "live") startWatching();
    } else if (event.type === "recording") {
      tools?.onEvent(event);
    } else {
      reloadBatch();
    }
  }

  renderHead();
  renderBatch();
  renderAnnotations();
  renderChat();
  const unwatch = ctx.live.watch([`batch:${batchId}`], { onEvent, onResync: resync });
  startWatching();

  return () => {
    left = true;
    unwatch();
    session?.close();
    tools?.close();
    canvas?.destroy();
  };
}

async function findStream(streamId) {
  const streams = await api.get("/streams");
  return streams.find((stream) => stream.stream_id === streamId) ?? null;
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

/** The batch beside the video: progress, every step's state, the active and last steps. */
function batchProgress(batch) {
  const titles = new Map(batch.steps.map((step) => [step.step_id, step.title]));
  const number = new Map(batch.steps.map((step, index) => [step.step_id, index + 1]));
  const active = batch.steps.find((step) => step.state === "active");
  const last = batch.steps.filter((step) => step.state === "completed").at(-1);
  const card = (step, label) =>
    h("div", { class: "console-batch__card" },
      h("p", { class: "eyebrow" }, label),
      h("ol", { class: "steps" }, stepCard({ definition: step.definition, record: step, number: number.get(step.step_id), titles })));
  return [
    h("h2", { id: "console-batch-title" }, "Batch progress"),
    progressBar(batch.progress),
    h("ol", { class: "console-steps", "aria-label": "Steps" }, batch.steps.map((step) =>
      h("li", { class: ["console-steps__item", step.state === "active" && "console-steps__item--active"], "data-console-step": step.step_id },
        h("span", { class: "console-steps__title" }, `${number.get(step.step_id)}. ${step.title}`),
        statusChip("step", step.state)))),
    active && card(active, "Active step"),
    last && card(last, "Last recorded step"),
  ];
}
