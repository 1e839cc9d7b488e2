// Remote support in the batch record: the experts' annotations on the live video and the
// chat, both kept with the batch.

import { api } from "../api.js";
import { h } from "../dom.js";
import { annotationList } from "./annotations.js";
import { chatLog } from "./chat.js";

/** The batch's annotations and chat messages. */
export async function loadCollaboration(batchId) {
  const id = encodeURIComponent(batchId);
  const [annotations, messages] = await Promise.all([
    api.get(`/batches/${id}/annotations`),
    api.get(`/batches/${id}/chat`),
  ]);
  return { annotations, messages };
}

/** `titles`: step id → title. */
export function collaborationSection({ annotations, messages }, titles) {
  return h(
    "section",
    { class: "panel collaboration", "aria-labelledby": "collaboration-title" },
    h("h2", { id: "collaboration-title" }, "Remote support"),
    h(
      "div",
      { class: "collaboration__parts" },
      h(
        "section",
        { class: "collaboration__part", "aria-labelledby": "record-annotations-title" },
        h("h3", { id: "record-annotations-title" }, `Annotations (${annotations.length})`),
        annotationList(annotations, { titles }),
      ),
      h(
        "section",
        { class: "collaboration__part", "aria-labelledby": "record-chat-title" },
        h("h3", { id: "record-chat-title" }, `Chat (${messages.length})`),
        chatLog(messages, { titles }),
      ),
    ),
  );
}
