// The console's chat panel: the batch's messages, and a form to send one.

import { api } from "../api.js";
import { upsertById } from "../collections.js";
import { h, replace } from "../dom.js";
import { chatForm, chatLog } from "../components/chat.js";

/**
 * The chat of the batch at `path`: {element, set(messages), onEvent(event)}.
 * `titles()`: step id → title.
 */
export function chatPanel({ path, titles }) {
  let messages = [];
  // Focusable: it scrolls in its own box, which keyboard users scroll too.
  const log = h("div", { class: "console-chat__log", tabindex: "0", role: "group", "aria-label": "Conversation" });
  const element = h(
    "section",
    { class: "panel console-chat", "aria-labelledby": "console-chat-title" },
    h("h2", { id: "console-chat-title" }, "Chat"),
    log,
    chatForm({ onSend: async (text) => add(await api.post(`${path}/chat`, { text })) }),
  );

  function render() {
    replace(log, chatLog(messages, { titles: titles() }));
    log.scrollTop = log.scrollHeight;
  }

  function add(message) {
    upsertById(messages, message);
    render();
  }

  return {
    element,
    set(all) {
      messages = all;
      render();
    },
    /** A `chat` event of the batch. */
    onEvent(event) {
      add(event.message);
    },
  };
}
