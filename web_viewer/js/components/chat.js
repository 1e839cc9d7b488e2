// The batch's chat: who wrote what, when, during which step; and the form to write a line.

import { h, uid } from "../dom.js";
import { icon } from "./icons.js";
import { timeOf } from "./record_parts.js";

export function chatLog(messages, { titles = new Map() } = {}) {
  if (messages.length === 0) return h("p", { class: "muted" }, "No chat messages in this batch.");
  return h(
    "ol",
    { class: "chat", "aria-label": "Chat messages" },
    messages.map((message) =>
      h(
        "li",
        { class: "chat__message", "data-message": message.id },
        h(
          "p",
          { class: "chat__meta" },
          h("span", { class: "chat__author" }, `${message.created_by.full_name} (${message.created_by.username})`),
          " · ",
          timeOf(message.created_at),
          message.step_id && ` · ${titles.get(message.step_id) ?? message.step_id}`,
        ),
        h("p", { class: "chat__text" }, message.text),
      ),
    ),
  );
}

/** A one-line message form; `onSend(text)` posts it and may throw an ApiError. */
export function chatForm({ onSend }) {
  const inputId = uid("chat-input");
  const input = h("input", { id: inputId, name: "text", type: "text", maxlength: "2000", autocomplete: "off", required: true });
  const message = h("p", { class: "field__error", role: "alert", hidden: true });
  const send = h("button", { type: "submit", class: "button button--primary" }, icon("plus"), "Send");
  const form = h(
    "form",
    {
      class: "chat-form",
      "aria-label": "Write to the chat",
      onSubmit: async (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        send.disabled = true;
        message.hidden = true;
        try {
          await onSend(text);
          input.value = "";
        } catch (error) {
          message.replaceChildren(icon("alert"), h("span", {}, `Not sent: ${error.detail ?? error}`));
          message.hidden = false;
        } finally {
          send.disabled = false;
          input.focus();
        }
      },
    },
    h("div", { class: "field chat-form__field" }, h("label", { class: "field__label", for: inputId }, "Message"), input),
    send,
    message,
  );
  return form;
}
