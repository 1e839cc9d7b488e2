// A confirmation for an account change: says what will happen, asks why (for the audit
// trail), and sends it only when confirmed.

import { h, replace } from "../dom.js";
import { field, formMessage } from "./forms.js";
import { icon } from "./icons.js";

/**
 * Ask to confirm `title` (`statement` says what will happen). `extra` (optional) is an element
 * of further controls (the roles to give). `onConfirm(reason)` sends the change and answers
 * null when done or a message to show; without `askReason` no reason is asked (null).
 * Resolves true when confirmed and done, false if cancelled.
 */
export function askConfirmation({ title, statement, confirmLabel, extra = null, onConfirm, askReason = true }) {
  const reason = field({
    label: "Reason",
    hint: "Recorded in the audit trail.",
    control: h("input", { name: "reason", id: "confirm-reason", autocomplete: "off", required: true, maxlength: 500 }),
  });
  const message = formMessage();
  const submit = h("button", { type: "submit", class: "button button--primary", id: "confirm-submit" }, confirmLabel);
  const cancel = h("button", { type: "button", class: "button", onClick: () => dialog.close() }, "Cancel");
  const form = h(
    "form",
    { class: "sign-dialog__form", method: "dialog", novalidate: true, onSubmit: confirm },
    h("h2", { id: "confirm-title" }, icon("shield"), title),
    h("p", { class: "sign-dialog__statement" }, statement),
    message.element,
    extra,
    askReason && reason.element,
    h("div", { class: "op-actions" }, submit, cancel),
  );
  const dialog = h("dialog", { class: "sign-dialog", "aria-labelledby": "confirm-title", id: "confirm-dialog" }, form);
  let done = false;

  async function confirm(event) {
    event.preventDefault();
    message.clear();
    reason.setError(null);
    const why = askReason ? reason.control.value.trim() : null;
    if (askReason && !why) {
      reason.setError("Say why, for the audit trail.");
      reason.control.focus();
      return;
    }
    submit.disabled = true;
    try {
      const refusal = await onConfirm(why);
      if (refusal === null) {
        done = true;
        dialog.close();
        return;
      }
      message.show(refusal);
    } finally {
      submit.disabled = false;
      replace(submit, confirmLabel);
    }
  }

  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(done);
    });
    dialog.showModal();
    (askReason ? reason.control : submit).focus();
  });
}
