// The expert console's start: every live session (batch, step, publisher, viewers), to watch
// one. The list follows stream, viewer and step events.

import { api, unlessUnreachable } from "../api.js";
import { append, h, replace } from "../dom.js";
import * as format from "../format.js";
import { icon } from "../components/icons.js";
import { chip } from "../components/status.js";

const FOLLOWED = new Set(["stream", "viewers", "step"]);
// The batches a live session can belong to (the console asks for no others).
const LIVE_STATUSES = "created,in_progress,on_hold";

export async function show(ctx) {
  ctx.setTitle("Expert console");
  ctx.setSection("console");
  const count = h("p", { class: "list-count", role: "status" });
  const body = h("div", { class: "table-wrap" });
  const refresh = h(
    "button",
    { type: "button", class: "button", id: "refresh-sessions", onClick: () => follow() },
    icon("reconnect"),
    "Refresh",
  );
  append(
    ctx.main,
    h(
      "div",
      { class: "page-head" },
      h(
        "div",
        {},
        h("p", { class: "eyebrow" }, "Expert console"),
        h("h1", { tabindex: "-1" }, "Live sessions"),
        h("p", { class: "page-lead" }, "Streams from the shop floor, live now. Watch one to see the batch, draw on the video and talk to the operator."),
      ),
      refresh,
    ),
    count,
    body,
  );

  async function load() {
    const [all, batches] = await Promise.all([api.get("/streams"), api.getAll(`/batches?status=${LIVE_STATUSES}`)]);
    if (!ctx.isCurrent()) return;
    // An expert's microphone (a batch's talk-back stream) is heard on the shop floor, not watched.
    const streams = all.filter((stream) => stream.stream_id !== stream.talkback_stream_id);
    const byId = new Map(batches.map((batch) => [batch.id, batch]));
    count.textContent = `${streams.length} live ${streams.length === 1 ? "session" : "sessions"}`;
    replace(body, streams.length ? table(streams, byId) : empty());
  }

  const follow = () => load().catch(unlessUnreachable(ctx.reportError));
  await load();
  return ctx.live.watch(["batches"], {
    onEvent: (event) => {
      if (FOLLOWED.has(event.type)) follow();
    },
    onResync: follow,
  });
}

function empty() {
  return h(
    "div",
    { class: "empty" },
    icon("live"),
    h("p", {}, "No live sessions. When an operator streams from a headset or phone, the session appears here."),
  );
}

function table(streams, batches) {
  return h(
    "table",
    { class: "list-table sessions-table" },
    h("caption", { class: "visually-hidden" }, "Live sessions"),
    h("thead", {}, h("tr", {}, ["Batch", "Stream", "Step", "Publisher", "Viewers", "Live since", "Watch"].map((title) => h("th", { scope: "col" }, title)))),
    h(
      "tbody",
      {},
      streams.map((stream) => {
        const batch = batches.get(stream.batch_id);
        const step = stream.step ?? batch?.current_step;
        return h(
          "tr",
          { "data-stream": stream.stream_id },
          h("th", { scope: "row", "data-label": "Batch" },
            h("a", { class: "strong-link", href: `#/batches/${encodeURIComponent(stream.batch_id)}` }, batch?.batch_number ?? stream.batch_id),
            batch && h("span", { class: "muted" }, ` · ${batch.procedure.title}`)),
          h("td", { "data-label": "Stream" }, stream.name ? h("code", {}, stream.name) : "Main camera"),
          h("td", { "data-label": "Step" }, step ? h("code", {}, step) : h("span", { class: "muted" }, "—")),
          h("td", { "data-label": "Publisher" }, stream.publisher),
          h("td", { "data-label": "Viewers" }, String(stream.viewers)),
          h("td", { "data-label": "Live since" }, h("time", { datetime: stream.started_at, title: stream.started_at }, format.dateTime(stream.started_at))),
          h("td", { "data-label": "Watch" },
            h("a", { class: "button button--primary", href: sessionHref(stream) },
              icon("eye"), "Watch", h("span", { class: "visually-hidden" }, ` ${batch?.batch_number ?? stream.stream_id}${stream.name ? ` (${stream.name})` : ""}`))),
        );
      }),
    ),
  );
}

/** The console of `stream`: by its batch, and its stream id unless it is the batch's main one. */
function sessionHref(stream) {
  const batch = `#/console/${encodeURIComponent(stream.batch_id)}`;
  return stream.name ? `${batch}/${encodeURIComponent(stream.stream_id)}` : batch;
}

/** A chip saying whether a stream is live, in words and icon. */
export function streamChip(live) {
  return live
    ? chip("ok", "live", "Live", { "data-stream-state": "live" })
    : chip("muted", "offline", "Not live", { "data-stream-state": "ended" });
}
