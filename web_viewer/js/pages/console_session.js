// The expert console on one live stream: the video (WHEP) with a drawing surface over it, the
// batch's progress and values beside it, annotations, chat, snapshot, recording, talk-back.
// Each panel is its own module; this page loads the data, lays them out and routes the
// batch's events to them.

import { api, unlessUnreachable } from "../api.js";
import { append, h } from "../dom.js";
import { coalesced } from "../components/coalesced.js";
import { icon } from "../components/icons.js";
import { annotationsPanel } from "./console_annotations.js";
import { batchPanel, sessionHead } from "./console_batch.js";
import { chatPanel } from "./console_chat.js";
import { mediaTools } from "./console_tools.js";
import { videoPanel } from "./console_video.js";

/** `#/console/{batch_id}` watches the batch's main stream, `#/console/{batch_id}/{stream_id}` another. */
export async function show(ctx) {
  ctx.setSection("console");
  const [batchId, otherStreamId] = ctx.params;
  // A batch's main stream has the batch's id as its stream id (the contract).
  const streamId = otherStreamId ?? batchId;
  const path = `/batches/${encodeURIComponent(batchId)}`;
  const expert = ctx.user.can.annotate_streams;
  const read = () => Promise.all([api.get(path), api.get(`${path}/annotations`), api.get(`${path}/chat`), findStream(streamId)]);

  let [batch, annotations, messages, stream] = await read();
  if (!ctx.isCurrent()) return undefined;
  ctx.setTitle(`Console · ${batch.batch_number}`);
  const titles = () => new Map(batch.steps.map((step) => [step.step_id, step.title]));

  const onError = unlessUnreachable(ctx.reportError);
  const head = sessionHead(batch, { name: otherStreamId && (stream?.name ?? otherStreamId) });
  const refreshStream = coalesced(async () => {
    const found = await findStream(streamId);
    if (!ctx.isCurrent()) return;
    stream = found;
    head.update(stream);
  }, { isCurrent: ctx.isCurrent, onError });
  const progress = batchPanel(ctx);
  const video = videoPanel({
    streamId,
    batchNumber: batch.batch_number,
    onDraw: expert ? (annotation) => annotationList.draw(annotation) : null,
    onConnected: refreshStream, // the viewer count now includes this console
  });
  const annotationList = annotationsPanel(ctx, { path, streamId, titles, expert, onShown: (shown) => video.setAnnotations(shown) });
  const chat = chatPanel({ path, titles });
  const tools = expert ? mediaTools({ streamId, talkbackId: () => stream?.talkback_stream_id ?? null, titles }) : null;

  append(
    ctx.main,
    h("a", { class: "back-link", href: "#/console" }, icon("back"), "All live sessions"),
    head.element,
    h("div", { class: "console-grid" },
      h("div", { class: "console-main" }, video.element, annotationList.element, tools?.element),
      h("div", { class: "console-side" }, progress.element, chat.element)),
  );

  function render() {
    head.update(stream);
    progress.update(batch);
    annotationList.set(annotations);
    chat.set(messages);
  }

  const reloadBatch = coalesced(async () => {
    const reread = await api.get(path);
    if (!ctx.isCurrent()) return;
    batch = reread;
    progress.update(batch);
  }, { isCurrent: ctx.isCurrent, onError });
  const resync = coalesced(async () => {
    const answers = await read();
    if (!ctx.isCurrent()) return;
    [batch, annotations, messages, stream] = answers;
    render();
    if (stream && !video.watching) video.start();
  }, { isCurrent: ctx.isCurrent, onError });

  function onEvent(event) {
    if (event.type === "annotation") annotationList.onEvent(event);
    else if (event.type === "chat") chat.onEvent(event);
    else if (event.type === "recording") tools?.onEvent(event);
    else if (event.type === "viewers") {
      if (event.stream_id !== streamId || !stream) return;
      stream = { ...stream, viewers: event.viewers };
      head.update(stream);
    }
    else if (event.type === "stream") {
      if (event.stream_id !== streamId) return;
      refreshStream();
      if (event.state === "ended") video.ended();
      if (event.state === "live") video.start();
    } else reloadBatch();
  }

  render();
  const unwatch = ctx.live.watch([`batch:${batchId}`], { onEvent, onResync: resync });
  video.start();

  return () => {
    unwatch();
    video.close();
    tools?.close();
  };
}

async function findStream(streamId) {
  const streams = await api.get("/streams");
  return streams.find((stream) => stream.stream_id === streamId) ?? null;
}
