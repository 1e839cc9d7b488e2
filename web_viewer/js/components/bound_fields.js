// Form controls bound to a place in the procedure being edited: each reads its value at a JSON
// pointer, writes every edit back there, and registers itself under that pointer so the
// server's refusals land on it. `editor`: {draft, fields (PointerFields), changed(options)}.

import { h } from "../dom.js";
import { valueAt, setAt } from "../procedure_draft.js";
import { field } from "./forms.js";

/** A stable element id for the control editing `pointer`, e.g. "edit-operations-0-steps-1-id". */
export function controlIdOf(pointer) {
  return `edit${pointer.replaceAll("/", "-")}`;
}

function register(editor, pointer, built) {
  editor.fields.add(pointer, built);
  return built;
}

/**
 * A text, number, multi-line or expression field. `type`: "text" | "number" | "textarea" |
 * "expression"; an empty entry removes the value (null), a number entry that is not one is
 * sent as typed, for the server to refuse at this field.
 */
export function boundField(editor, pointer, { label, type = "text", hint = null, structural = false, required = false }) {
  const current = valueAt(editor.draft, pointer);
  const id = controlIdOf(pointer);
  const attrs = { id, name: id, autocomplete: "off", class: type === "expression" ? "op-input--code" : null, spellcheck: type === "expression" ? "false" : null };
  const control = type === "textarea"
    ? h("textarea", { ...attrs, rows: 3 }, current ?? "")
    : h("input", { ...attrs, type: type === "number" ? "number" : "text", step: type === "number" ? "any" : null, value: current ?? "" });
  if (type === "number") control.setAttribute("inputmode", "decimal");
  const built = field({ label, control, hint });
  control.addEventListener("input", () => {
    const text = control.value;
    let value = text;
    if (type === "number") value = text === "" ? null : Number(text);
    else if (text === "" && !required) value = null;
    setAt(editor.draft, pointer, value);
    editor.changed({ structural: false, pointer });
  });
  if (structural) control.addEventListener("change", () => editor.changed({ structural: true, pointer }));
  return register(editor, pointer, built);
}

/** A choice among `options` ([value, label] pairs). */
export function boundSelect(editor, pointer, { label, options, hint = null, onPick = null }) {
  const current = valueAt(editor.draft, pointer);
  const id = controlIdOf(pointer);
  const control = h("select", { id, name: id },
    options.map(([value, text]) => h("option", { value, selected: value === current }, text)));
  const built = field({ label, control, hint });
  control.addEventListener("change", () => {
    if (onPick) onPick(control.value);
    else setAt(editor.draft, pointer, control.value);
    editor.changed({ structural: true, pointer });
  });
  return register(editor, pointer, built);
}

/** A tick box for a boolean; unticked stores `off` (false, or null to remove the field). */
export function boundCheck(editor, pointer, { label, on = true, off = false }) {
  const id = controlIdOf(pointer);
  const control = h("input", { type: "checkbox", id, name: id, checked: valueAt(editor.draft, pointer) === on });
  const error = h("p", { class: "field__error", id: `${id}-error`, hidden: true });
  const element = h("div", { class: "field field--check" }, h("label", { for: id }, control, " ", label), error);
  control.addEventListener("change", () => {
    setAt(editor.draft, pointer, control.checked ? on : off);
    editor.changed({ structural: false, pointer });
  });
  return register(editor, pointer, {
    element,
    control,
    setError(message) {
      error.hidden = !message;
      error.textContent = message ?? "";
      if (message) control.setAttribute("aria-describedby", error.id);
      else control.removeAttribute("aria-describedby");
    },
  });
}
