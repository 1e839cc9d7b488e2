// Labelled form fields whose errors sit next to the control and are announced with it.

import { h, replace, uid } from "../dom.js";
import { icon } from "./icons.js";

/**
 * A labelled control. `control` is an input/select element; `hint` explains the expected
 * entry. Returns {element, control, setError(message|null)}.
 */
export function field({ label, control, hint }) {
  const id = control.id || uid("field");
  control.id = id;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const error = h("p", { class: "field__error", id: errorId, hidden: true });
  const described = [hint && hintId].filter(Boolean);
  if (described.length) control.setAttribute("aria-describedby", described.join(" "));
  const element = h(
    "div",
    { class: "field" },
    h("label", { class: "field__label", for: id }, label),
    hint && h("p", { class: "field__hint", id: hintId }, hint),
    control,
    error,
  );
  function setError(message) {
    if (message) {
      replace(error, icon("alert"), h("span", {}, message));
      error.hidden = false;
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", [...described, errorId].join(" "));
    } else {
      error.hidden = true;
      error.replaceChildren();
      control.removeAttribute("aria-invalid");
      if (described.length) control.setAttribute("aria-describedby", described.join(" "));
      else control.removeAttribute("aria-describedby");
    }
  }
  return { element, control, setError };
}

/** A message box for a whole form (role=alert: read out when it appears). */
export function formMessage() {
  const element = h("div", { class: "form-message", role: "alert", hidden: true });
  return {
    element,
    show(message, tone = "danger") {
      element.className = `form-message form-message--${tone}`;
      replace(element, icon(tone === "danger" ? "alert" : "info"), h("span", {}, message));
      element.hidden = false;
    },
    clear() {
      element.hidden = true;
      element.replaceChildren();
    },
  };
}

/**
 * Put the problem's field errors next to their controls (`fields`: API field name → field);
 * returns the messages that belong to no control.
 */
export function showProblem(error, fields) {
  for (const f of Object.values(fields)) f.setError(null);
  const unplaced = [];
  let first = null;
  for (const entry of error.errors ?? []) {
    const target = fields[entry.field];
    if (target) {
      target.setError(entry.message);
      first ??= target.control;
    } else {
      unplaced.push(entry.field ? `${entry.field}: ${entry.message}` : entry.message);
    }
  }
  first?.focus();
  return { placed: Boolean(first), unplaced };
}
