// The form of the step selected in the editor: what every step has (id, title, kind,
// instruction, condition, signature, window), what its kind needs (hold, verified step,
// dispense), its inputs and its calculations.

import { h } from "../dom.js";
import * as format from "../format.js";
import {
  STEP_KINDS, changeKind, move, newCalculation, newInput, stepPointer, stepsBefore, valueAt,
} from "../procedure_draft.js";
import { boundCheck, boundField, boundSelect } from "./bound_fields.js";
import { icon } from "./icons.js";
import { stepMediaEditor } from "./step_media_editor.js";
import { valueEditor } from "./value_editor.js";

/** A small button; `what` names its object for assistive technology ("Up: input Net weight"). */
export function smallButton(label, iconName, onClick, { what = null, ...attrs } = {}) {
  return h("button", { type: "button", class: "button button--quiet button--small", onClick, ...attrs },
    iconName && icon(iconName), label, what && h("span", { class: "visually-hidden" }, `: ${what}`));
}

/** Move up, move down and remove buttons for item `index` of the list at `pointer`. */
function listActions(editor, pointer, index, what) {
  const list = () => valueAt(editor.draft, pointer);
  const structural = () => editor.changed({ structural: true, pointer });
  return [
    smallButton("Up", null, () => move(list(), index, index - 1) && structural(), { what, disabled: index === 0 }),
    smallButton("Down", null, () => move(list(), index, index + 1) && structural(), { what }),
    smallButton("Remove", "ban", () => { list().splice(index, 1); structural(); }, { what }),
  ];
}

function valueList(editor, pointer, { calculated }) {
  const items = valueAt(editor.draft, pointer) ?? [];
  const what = calculated ? "calculation" : "input";
  const add = () => {
    const list = valueAt(editor.draft, pointer) ?? [];
    list.push(calculated ? newCalculation(editor.draft) : newInput(editor.draft));
    editor.setValue(pointer, list);
    editor.changed({ structural: true, pointer });
  };
  const section = h("section", { class: "author-section", "aria-label": calculated ? "Calculations" : "Inputs" },
    h("h3", {}, calculated ? "Calculations" : "Inputs"),
    items.length
      ? h("ol", { class: "author-values" }, items.map((item, index) =>
        valueEditor(editor, `${pointer}/${index}`, {
          calculated,
          actions: listActions(editor, pointer, index, `${what} ${item.label || item.name}`),
        })))
      : h("p", { class: "muted" }, calculated ? "No calculations." : "No inputs."),
    h("button", { type: "button", class: "button", id: `add-${what}`, onClick: add }, icon("plus"), `Add ${what}`));
  editor.fields.add(pointer, { control: section.querySelector("button:last-child"), setError: errorSetter(section) });
  return section;
}

/** An error line at the end of a section, for problems with the section as a whole. */
function errorSetter(section) {
  const line = h("p", { class: "field__error", hidden: true });
  section.append(line);
  return (message) => {
    line.hidden = !message;
    line.textContent = message ?? "";
  };
}

function earlierSteps(editor, before, titles) {
  return [["", "Choose a step"], ...before.map((id) => [id, `${titles.get(id) ?? id} (${id})`])];
}

function kindSection(editor, pointer, step, before, titles) {
  if (step.kind === "timer") {
    return h("section", { class: "author-section", "aria-label": "Hold time" },
      h("h3", {}, "Hold time"),
      h("div", { class: "author-row" },
        boundSelect(editor, `${pointer}/hold/after`, { label: "After the step", options: earlierSteps(editor, before, titles) }).element,
        boundField(editor, `${pointer}/hold/min_minutes`, { label: "At least (min)", type: "number" }).element,
        boundField(editor, `${pointer}/hold/max_minutes`, { label: "At most (min)", type: "number" }).element));
  }
  if (step.kind === "verification") {
    return h("section", { class: "author-section", "aria-label": "Verification" },
      h("h3", {}, "Verification"),
      boundSelect(editor, `${pointer}/verifies`, { label: "Verifies the step", options: earlierSteps(editor, before, titles) }).element);
  }
  if (step.kind === "dispense") {
    const at = `${pointer}/dispense`;
    return h("section", { class: "author-section", "aria-label": "Dispense" },
      h("h3", {}, "Dispense"),
      h("div", { class: "author-row" },
        boundField(editor, `${at}/material`, { label: "Material code", required: true }).element,
        boundField(editor, `${at}/name`, { label: "Name of the net quantity", required: true }).element),
      h("div", { class: "author-row" },
        boundField(editor, `${at}/target`, { label: "Target", type: "expression", required: true, hint: "e.g. batch_size_kg * 0.125" }).element,
        boundSelect(editor, `${at}/unit`, { label: "Unit", options: ["mg", "g", "kg"].map((unit) => [unit, unit]) }).element,
        boundField(editor, `${at}/tolerance_percent`, { label: "Tolerance (± %)", type: "number" }).element));
  }
  return null;
}

/**
 * The form of step `stepIndex` of operation `operationIndex`. `editor`: {draft, fields,
 * changed(options), setValue(pointer, value), media?: see step_media_editor.js}.
 */
export function stepEditor(editor, operationIndex, stepIndex) {
  const pointer = stepPointer(operationIndex, stepIndex);
  const step = valueAt(editor.draft, pointer);
  const before = stepsBefore(editor.draft, operationIndex, stepIndex);
  const titles = new Map(editor.draft.operations.flatMap((operation) => operation.steps.map((s) => [s.id, s.title])));
  const takesInputs = !["instruction", "dispense"].includes(step.kind);
  return h("form", { class: "author-step", id: "step-editor", novalidate: true, "aria-labelledby": "step-editor-title", onSubmit: (event) => event.preventDefault() },
    h("h2", { id: "step-editor-title", tabindex: "-1" }, `Step: ${step.title}`),
    h("div", { class: "author-row" },
      boundField(editor, `${pointer}/title`, { label: "Title", required: true }).element,
      boundField(editor, `${pointer}/id`, { label: "Step id", hint: "Lower case, digits and _", required: true }).element,
      boundSelect(editor, `${pointer}/kind`, {
        label: "Kind",
        options: STEP_KINDS.map((kind) => [kind, format.KIND_LABELS[kind] ?? kind]),
        onPick: (kind) => changeKind(editor.draft, step, kind, before),
      }).element),
    boundField(editor, `${pointer}/instruction`, { label: "Instruction", type: "textarea", hint: "Plain text, short enough to read gloved." }).element,
    boundField(editor, `${pointer}/when`, {
      label: "Condition (optional)", type: "expression",
      hint: "The step is skipped when this is false, e.g. lod_pct > 2.0",
    }).element,
    h("div", { class: "author-row" },
      boundField(editor, `${pointer}/window_minutes`, { label: "Complete within (min, optional)", type: "number" }).element,
      boundCheck(editor, `${pointer}/signature`, { label: "The performer e-signs", on: "performed", off: null }).element,
      boundCheck(editor, `${pointer}/blocking`, { label: "A deviation here holds the batch" }).element),
    kindSection(editor, pointer, step, before, titles),
    takesInputs && valueList(editor, `${pointer}/inputs`, { calculated: false }),
    (step.kind === "calculation" || step.calculations?.length > 0) && valueList(editor, `${pointer}/calculations`, { calculated: true }),
    editor.media && stepMediaEditor(step, editor.media),
  );
}
