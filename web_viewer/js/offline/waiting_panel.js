// What the operator's submissions are waiting for: those saved on this phone but not yet sent
// (with or without a connection), and those the server refused when they arrived (a
// conflict: the step was completed elsewhere meanwhile, say), kept until the operator has
// read them.

import { h } from "../dom.js";
import { icon } from "../components/icons.js";

/**
 * The panel for `entries` (the outbox's open entries of this batch); `online`: the last
 * attempt reached the server; `onDismiss(entry)` for a refused one. Null when none is open.
 */
export function waitingPanel(entries, { online, onDismiss }) {
  const waiting = entries.filter((entry) => entry.state === "pending");
  const refused = entries.filter((entry) => entry.state === "conflict");
  if (!waiting.length && !refused.length) return null;
  const title = [waiting.length && `Waiting to be sent (${waiting.length})`, refused.length && `Not recorded (${refused.length})`]
    .filter(Boolean).join(" · ");
  return h("section", { class: "op-outbox", id: "op-outbox", "aria-labelledby": "op-outbox-title" },
    h("h2", { id: "op-outbox-title" }, icon(waiting.length ? "clock" : "alert"), title),
    waiting.length > 0 && h("div", { class: "form-message form-message--info", id: "op-outbox-waiting", role: "status" },
      h("p", {}, online
        ? "Sending now, in the order they were done."
        : "No connection: kept on this phone and sent, in order, when the connection is back. Closing the page loses nothing."),
      h("ol", { class: "op-outbox__list" }, waiting.map((entry) =>
        h("li", { "data-outbox": entry.key, "data-state": "waiting" }, entry.label)))),
    refused.map((entry) => h("div", { class: "form-message form-message--danger", role: "alert", "data-outbox": entry.key, "data-state": "refused" },
      h("p", {}, h("strong", {}, `Not recorded: ${entry.label}. `), refusal(entry)),
      h("button", { type: "button", class: "button op-button", onClick: () => onDismiss(entry) }, icon("check"), `Seen: ${entry.label}`))));
}

function refusal(entry) {
  const answer = entry.answer ?? {};
  const fields = (answer.errors ?? []).map((error) => `${error.field}: ${error.message}`);
  return [`The server refused it: ${answer.detail ?? "no reason given"}`, ...fields].join(" ");
}
