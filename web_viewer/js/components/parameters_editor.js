// The batch parameters of a procedure being edited (the batch size and the like): given when a
// batch is created, with hard limits only.

import { h } from "../dom.js";
import { uniqueName, valueAt, valueNames } from "../procedure_draft.js";
import { boundField } from "./bound_fields.js";
import { icon } from "./icons.js";
import { smallButton } from "./step_editor.js";

/** The list of parameters of `editor.draft`, to add, edit and remove. */
export function parametersEditor(editor) {
  const list = valueAt(editor.draft, "/parameters") ?? [];
  const add = () => {
    list.push({ name: uniqueName("parameter", valueNames(editor.draft)), label: "New parameter", type: "number" });
    editor.setValue("/parameters", list);
    editor.changed({ structural: true, pointer: "/parameters" });
  };
  return h("section", { class: "author-section", "aria-labelledby": "parameters-title" },
    h("h3", { id: "parameters-title" }, "Batch parameters"),
    list.length === 0 && h("p", { class: "muted" }, "No parameters."),
    h("ol", { class: "author-values" }, list.map((parameter, index) => {
      const at = `/parameters/${index}`;
      return h("li", { class: "author-value" },
        h("div", { class: "author-value__head" }, h("h4", {}, `Parameter: ${parameter.label}`),
          h("div", { class: "author-actions" }, smallButton("Remove", "ban", () => {
            list.splice(index, 1);
            editor.changed({ structural: true, pointer: "/parameters" });
          }, { what: `parameter ${parameter.label}` }))),
        h("div", { class: "author-row" },
          boundField(editor, `${at}/label`, { label: "Label", required: true }).element,
          boundField(editor, `${at}/name`, { label: "Name", required: true }).element,
          boundField(editor, `${at}/unit`, { label: "Unit" }).element),
        h("div", { class: "author-row" },
          boundField(editor, `${at}/default`, { label: "Default", type: "number" }).element,
          boundField(editor, `${at}/limits/min`, { label: "Min", type: "number" }).element,
          boundField(editor, `${at}/limits/max`, { label: "Max", type: "number" }).element));
    })),
    h("button", { type: "button", class: "button", id: "add-parameter", onClick: add }, icon("plus"), "Add parameter"));
}
