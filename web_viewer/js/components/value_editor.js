// One input or calculation of a step in the editor: name, label, type, unit, and for numbers
// the hard and alert limits drawn as the range bar the batch view and the phone use.

import { h, replace } from "../dom.js";
import { INPUT_TYPES, LIMIT_NAMES, setAt, valueAt } from "../procedure_draft.js";
import { boundCheck, boundField, boundSelect, controlIdOf } from "./bound_fields.js";
import { field } from "./forms.js";
import { icon } from "./icons.js";
import { rangeBar } from "./range_bar.js";

const TYPE_LABELS = {
  number: "Number", text: "Text", choice: "Choice", boolean: "Yes/no (tick box)", scan: "Scan", photo: "Photo",
};
const LIMIT_LABELS = { min: "Hard min", alert_min: "Alert min", alert_max: "Alert max", max: "Hard max" };

/** Limits with none of the four set are no limits at all. */
function tidyLimits(editor, pointer) {
  const limits = valueAt(editor.draft, pointer);
  if (limits && LIMIT_NAMES.every((name) => limits[name] === null || limits[name] === undefined)) {
    setAt(editor.draft, pointer, null);
  }
}

/** The four limits of the value at `pointer`, with the range bar redrawn as they change. */
function limitsEditor(editor, pointer, spec) {
  const at = `${pointer}/limits`;
  const bar = h("div", { class: "author-limits__bar", id: `${pointer.replaceAll("/", "-").slice(1)}-bar` });
  const draw = () => {
    const limits = valueAt(editor.draft, at);
    const usable = limits && LIMIT_NAMES.some((name) => typeof limits[name] === "number");
    replace(bar, usable ? rangeBar(limits, undefined, valueAt(editor.draft, pointer) ?? spec)
      : h("p", { class: "muted" }, "No limits: any number is accepted."));
  };
  const inner = { ...editor, changed: (options) => { tidyLimits(editor, at); draw(); editor.changed(options); } };
  const fields = LIMIT_NAMES.map((name) => boundField(inner, `${at}/${name}`, { label: LIMIT_LABELS[name], type: "number" }));
  // A problem with the limits as a whole (their order) is shown under the bar.
  const group = h("p", { class: "field__error", id: `${bar.id}-error`, hidden: true });
  editor.fields.add(at, {
    control: fields[0].control,
    setError(message) {
      group.hidden = !message;
      replace(group, message ? [icon("alert"), h("span", {}, message)] : []);
    },
  });
  draw();
  return h("fieldset", { class: "author-limits" },
    h("legend", {}, "Limits"),
    h("p", { class: "author-limits__hint" }, "Outside the hard limits blocks the step; outside the alert limits asks for a comment and opens a deviation."),
    h("div", { class: "author-limits__grid" }, fields.map((f) => f.element)),
    bar, group);
}

/** What a scan must resolve to: equipment of a type, or a lot of a material. */
function expectsEditor(editor, pointer) {
  const at = `${pointer}/expects`;
  const kind = valueAt(editor.draft, `${at}/kind`) ?? "equipment";
  return h("div", { class: "author-row" },
    boundSelect(editor, `${at}/kind`, {
      label: "Expected scan",
      options: [["equipment", "Equipment of a type"], ["material", "A lot of a material"]],
      onPick: (value) => setAt(editor.draft, at, value === "material" ? { kind: value, material: "" } : { kind: value, type: "" }),
    }).element,
    kind === "material"
      ? boundField(editor, `${at}/material`, { label: "Material code", required: true }).element
      : boundField(editor, `${at}/type`, { label: "Equipment type", hint: "e.g. balance, blender", required: true }).element);
}

/** The choices of a choice input, one per line. */
function choicesEditor(editor, pointer) {
  const at = `${pointer}/choices`;
  const id = controlIdOf(at);
  const control = h("textarea", { id, name: id, rows: 3 }, (valueAt(editor.draft, at) ?? []).join("\n"));
  control.addEventListener("input", () => {
    setAt(editor.draft, at, control.value.split("\n").map((line) => line.trim()).filter(Boolean));
    editor.changed({ structural: false, pointer: at });
  });
  return editor.fields.add(at, field({ label: "Choices (one per line)", control })).element;
}

/** Changing an input's type drops what only the old type carries. */
function retype(editor, pointer, type) {
  const input = valueAt(editor.draft, pointer);
  for (const name of ["unit", "limits", "decimals", "choices", "expects"]) delete input[name];
  input.type = type;
  if (type === "choice") input.choices = ["Yes", "No"];
  if (type === "scan") input.expects = { kind: "equipment", type: "" };
}

/**
 * The editor of the input (or, with `calculated`, the calculation) at `pointer`. `actions`:
 * buttons to move or remove it.
 */
export function valueEditor(editor, pointer, { calculated = false, actions = [] }) {
  const spec = valueAt(editor.draft, pointer);
  const type = calculated ? "number" : spec.type;
  const rows = [
    h("div", { class: "author-row" },
      boundField(editor, `${pointer}/label`, { label: "Label", required: true }).element,
      boundField(editor, `${pointer}/name`, { label: "Name", hint: "Used in calculations and conditions", required: true }).element,
      !calculated && boundSelect(editor, `${pointer}/type`, {
        label: "Type",
        options: INPUT_TYPES.map((value) => [value, TYPE_LABELS[value]]),
        onPick: (value) => retype(editor, pointer, value),
      }).element),
  ];
  if (calculated) {
    rows.push(boundField(editor, `${pointer}/expression`, {
      label: "Expression", type: "expression", required: true,
      hint: "Arithmetic on earlier values and this step's inputs, e.g. output_kg / batch_size_kg * 100",
    }).element);
  }
  if (type === "number") {
    rows.push(h("div", { class: "author-row" },
      boundField(editor, `${pointer}/unit`, { label: "Unit" }).element,
      boundField(editor, `${pointer}/decimals`, { label: "Decimals", type: "number" }).element));
    rows.push(limitsEditor(editor, pointer, spec));
  }
  if (type === "choice") rows.push(choicesEditor(editor, pointer));
  if (type === "scan") rows.push(expectsEditor(editor, pointer));
  if (!calculated) rows.push(boundCheck(editor, `${pointer}/required`, { label: "Required" }).element);
  return h("li", { class: "author-value", "data-pointer": pointer },
    h("div", { class: "author-value__head" },
      h("h4", {}, calculated ? "Calculation" : `${TYPE_LABELS[type] ?? type} input`, ": ", spec.label || spec.name),
      h("div", { class: "author-actions" }, actions)),
    rows);
}
