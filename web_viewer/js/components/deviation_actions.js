// QA's decisions on a deviation, each with an e-signature (meaning approved): close it with a
// conclusion, or cancel it with a reason (raised in error).

import { api } from "../api.js";
import { h } from "../dom.js";
import { field } from "./forms.js";
import { icon } from "./icons.js";
import { refusalMessage } from "./refusal.js";
import { signAndSend } from "./signed_action.js";

/**
 * Close and cancel forms for `deviation`. `beforeClose()` saves pending facts (answers false
 * to stop); `onProblem(error)` also places a refusal at the facts it names;
 * `onDone(deviation)` gets the answer.
 */
export function deviationActions({ deviation, user, beforeClose, onProblem, onDone }) {
  return h(
    "section",
    { class: "deviation-actions", "aria-labelledby": "decide-title" },
    h("h2", { id: "decide-title" }, "Decision"),
    decisionForm({
      name: "close",
      label: "Conclusion",
      hint: "Why the batch is, or is not, affected; needs the impact assessment and the root cause.",
      button: [icon("check"), "Close deviation"],
      missing: "Write the conclusion.",
      title: `Close deviation ${deviation.number}`,
      send: (text, signature) => api.post(`/deviations/${encodeURIComponent(deviation.id)}/close`, { conclusion: text, signature }),
      user, before: beforeClose, onProblem, onDone,
    }),
    decisionForm({
      name: "cancel",
      label: "Reason for cancelling",
      hint: "For example: raised in error.",
      button: [icon("ban"), "Cancel deviation"],
      missing: "Say why the deviation is cancelled.",
      title: `Cancel deviation ${deviation.number}`,
      send: (text, signature) => api.post(`/deviations/${encodeURIComponent(deviation.id)}/cancel`, { reason: text, signature }),
      user, before: async () => true, onProblem: () => {}, onDone,
    }),
  );
}

function decisionForm({ name, label, hint, button, missing, title, send, user, before, onProblem, onDone }) {
  const text = field({
    label,
    hint,
    control: h("textarea", { id: `${name}-text`, name: `${name}-text`, rows: 3, maxlength: 4000, class: "text-input" }),
  });
  const refusal = refusalMessage(`${name}-refusal`);
  const submit = h("button", { type: "submit", class: ["button", name === "close" ? "button--primary" : "button--danger"], id: `${name}-deviation` }, button);

  async function decide(event) {
    event.preventDefault();
    refusal.clear();
    text.setError(null);
    const value = text.control.value.trim();
    if (!value) {
      text.setError(missing);
      text.control.focus();
      return;
    }
    submit.disabled = true;
    try {
      if (!(await before())) return;
      const { signed, answer, error } = await signAndSend({
        title,
        meaning: "approved",
        user,
        send: (signature) => send(value, signature),
      });
      if (error) {
        onProblem(error);
        refusal.show(error);
      }
      if (signed) onDone(answer);
    } finally {
      submit.disabled = false;
    }
  }

  return h("form", { class: "deviation-actions__form", novalidate: true, onSubmit: decide, "aria-label": title },
    refusal.element, text.element, h("div", { class: "form-actions" }, submit));
}
