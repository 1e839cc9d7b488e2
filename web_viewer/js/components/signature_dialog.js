// The e-signature dialog (21 CFR 11.50/11.200): the signer re-enters their password; the
// dialog shows the name, the date and time and the meaning that the signature will carry.

import { h, replace } from "../dom.js";
import * as format from "../format.js";
import { field, formMessage } from "./forms.js";
import { typeButton } from "./headset.js";
import { icon } from "./icons.js";

const MEANINGS = {
  performed: "I performed this step as recorded.",
  verified: "I checked the step named above and confirm what was recorded.",
  corrected: "I made this correction for the reason given.",
  reviewed: "I reviewed this exception in the context of the batch record.",
  approved: "I approve what is named above.",
  released: "I release this batch: its record is complete and every exception was reviewed.",
  rejected: "I reject this batch for the reason given.",
};

/**
 * Ask for an e-signature with `meaning`. `signer`: the signed-in user, who signs unless
 * `otherSigner` (a verification: another person types their username). `onSign(signature)`
 * sends it and answers null when done (the dialog closes) or a message for the dialog.
 * `details`: an element showing what is signed (a procedure's changes), above the statement.
 * Resolves when the dialog closes: true if signed, false if cancelled.
 */
export function askSignature({ title, meaning, signer, otherSigner = false, onSign, details = null }) {
  const password = field({
    label: "Password",
    control: h("input", { type: "password", name: "signature-password", autocomplete: "current-password", required: true }),
  });
  const username = otherSigner
    ? field({
        label: "Verifier's username",
        hint: "The person who verifies signs here, on this device.",
        control: h("input", { name: "signature-username", autocomplete: "off", autocapitalize: "none", spellcheck: "false", required: true }),
      })
    : null;
  for (const [entry, what] of [[password, "password"], [username, "username"]]) {
    entry?.control.before(typeButton(entry.control, what));
  }
  const clock = h("time", { id: "signature-time" });
  const tick = () => {
    const now = new Date();
    clock.setAttribute("datetime", now.toISOString());
    clock.textContent = format.utcDateTime(now.toISOString());
  };
  tick();
  const timer = setInterval(tick, 1000);
  const message = formMessage();
  const submit = h("button", { type: "submit", class: "button button--primary op-button", id: "signature-submit" }, icon("shield"), "Sign");
  const cancel = h("button", { type: "button", class: "button op-button", onClick: () => dialog.close() }, "Cancel");
  const facts = [
    ["Signed by", otherSigner ? "The verifier named below" : `${signer.full_name} (${signer.username})`],
    ["Meaning", h("span", { id: "signature-meaning" }, format.capitalise(meaning))],
    ["Date and time", clock],
  ];
  const form = h(
    "form",
    { class: "sign-dialog__form", method: "dialog", novalidate: true, onSubmit: sign },
    h("h2", { id: "signature-title" }, icon("shield"), `Sign: ${title}`),
    h("dl", { class: "sign-dialog__facts" }, facts.map(([term, detail]) => h("div", {}, h("dt", {}, term), h("dd", {}, detail)))),
    details && h("div", { class: "sign-dialog__details" }, details),
    h("p", { class: "sign-dialog__statement" }, MEANINGS[meaning] ?? "",
      " Your electronic signature is the legally binding equivalent of your handwritten signature."),
    message.element,
    // Password managers pair a password with a username field; the signer's is known here.
    username?.element ?? h("input", { type: "text", name: "username", autocomplete: "username", value: signer.username, hidden: true }),
    password.element,
    h("div", { class: "op-actions" }, submit, cancel),
  );
  const dialog = h("dialog", { class: ["sign-dialog", details && "sign-dialog--wide"], "aria-labelledby": "signature-title", id: "signature-dialog" }, form);
  let signed = false;

  async function sign(event) {
    event.preventDefault();
    message.clear();
    password.setError(null);
    username?.setError(null);
    const who = username ? username.control.value.trim() : signer.username;
    if (username && !who) {
      username.setError("Enter the verifier's username.");
      username.control.focus();
      return;
    }
    if (!password.control.value) {
      password.setError("Enter the password to sign.");
      password.control.focus();
      return;
    }
    submit.disabled = true;
    replace(submit, icon("shield"), "Signing…");
    try {
      const refusal = await onSign({ username: who, password: password.control.value, meaning });
      if (refusal === null) {
        signed = true;
        dialog.close();
        return;
      }
      password.control.value = "";
      password.setError(refusal);
      password.control.focus();
    } catch (error) {
      message.show(error?.detail ?? String(error));
    } finally {
      submit.disabled = false;
      replace(submit, icon("shield"), "Sign");
    }
  }

  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      clearInterval(timer);
      dialog.remove();
      resolve(signed);
    });
    dialog.showModal();
    (username ?? password).control.focus();
  });
}
