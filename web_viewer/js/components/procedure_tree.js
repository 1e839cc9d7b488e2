// The outline of the procedure being edited: operations and their steps, to select, add,
// remove, duplicate and reorder (drag a step, or Alt+Arrow Up/Down on it, or the buttons).

import { h } from "../dom.js";
import * as format from "../format.js";
import { STEP_KINDS, copyOperation, copyStep, move, newOperation, newStep, stepIds, stepPointer } from "../procedure_draft.js";
import { icon } from "./icons.js";
import { smallButton } from "./step_editor.js";

/** Move step `s` of operation `o` by `delta` (±1), into the next operation at an end. */
function shiftStep(draft, o, s, delta) {
  const steps = draft.operations[o].steps;
  const to = s + delta;
  if (to >= 0 && to < steps.length) {
    move(steps, s, to);
    return { o, s: to };
  }
  const other = o + delta;
  if (other < 0 || other >= draft.operations.length || steps.length === 1) return null;
  const [step] = steps.splice(s, 1);
  const target = draft.operations[other].steps;
  if (delta < 0) target.push(step);
  else target.unshift(step);
  return { o: other, s: delta < 0 ? target.length - 1 : 0 };
}

/**
 * The outline. `selection`: {type: "procedure"} | {type: "operation", o} | {type: "step", o, s};
 * `problems`: pointers the server refused; `onSelect(selection)`; `onEdit(selection, focusId)`
 * after a change to the structure.
 */
export function procedureTree({ draft, selection, problems, onSelect, onEdit }) {
  const hasProblem = (pointer) => problems.some((at) => at === pointer || at.startsWith(`${pointer}/`));
  const selected = (type, o, s) => selection.type === type && selection.o === o && (type !== "step" || selection.s === s);
  let dragged = null;

  function stepItem(operation, o, step, s) {
    const pointer = stepPointer(o, s);
    const id = `tree-step-${o}-${s}`;
    const what = `step ${step.title}`;
    const edited = (to) => to && onEdit({ type: "step", o: to.o, s: to.s }, `tree-step-${to.o}-${to.s}`);
    const select = h("button", {
      type: "button", class: "author-tree__select", id, "data-step": step.id,
      "aria-current": selected("step", o, s) ? "true" : null,
      "aria-keyshortcuts": "Alt+ArrowUp Alt+ArrowDown",
      onClick: () => onSelect({ type: "step", o, s }),
      onKeydown: (event) => {
        if (!event.altKey || !["ArrowUp", "ArrowDown"].includes(event.key)) return;
        event.preventDefault();
        edited(shiftStep(draft, o, s, event.key === "ArrowUp" ? -1 : 1));
      },
    },
    h("span", { class: "author-tree__number" }, `${o + 1}.${s + 1}`),
    h("span", { class: "author-tree__title" }, step.title || step.id),
    h("span", { class: "author-tree__kind" }, format.KIND_LABELS[step.kind] ?? step.kind),
    hasProblem(pointer) && h("span", { class: "author-tree__problem" }, icon("alert"), h("span", { class: "visually-hidden" }, " has problems")));
    const item = h("li", { class: ["author-tree__step", hasProblem(pointer) && "author-tree__step--problem"], draggable: "true", "data-step": step.id },
      select,
      h("div", { class: "author-actions" },
        smallButton("Up", null, () => edited(shiftStep(draft, o, s, -1)), { what, disabled: o === 0 && s === 0 }),
        smallButton("Down", null, () => edited(shiftStep(draft, o, s, 1)), { what }),
        smallButton("Duplicate", "layers", () => {
          operation.steps.splice(s + 1, 0, copyStep(draft, step));
          edited({ o, s: s + 1 });
        }, { what }),
        smallButton("Remove", "ban", () => {
          operation.steps.splice(s, 1);
          onEdit(operation.steps.length ? { type: "step", o, s: Math.max(0, s - 1) } : { type: "operation", o }, null);
        }, { what })));
    item.addEventListener("dragstart", (event) => {
      dragged = { o, s };
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", step.id);
    });
    item.addEventListener("dragover", (event) => {
      if (dragged) event.preventDefault();
    });
    item.addEventListener("drop", (event) => {
      event.preventDefault();
      if (!dragged || (dragged.o === o && dragged.s === s)) return;
      const [moving] = draft.operations[dragged.o].steps.splice(dragged.s, 1);
      const target = draft.operations[o].steps;
      // Dropped on a step: it takes that step's place (after it when moved down).
      target.splice(s, 0, moving);
      dragged = null;
      onEdit({ type: "step", o, s: target.indexOf(moving) }, null);
    });
    return item;
  }

  function operationItem(operation, o) {
    const what = `operation ${operation.title}`;
    const kind = h("select", { id: `add-step-kind-${o}`, class: "author-tree__kind-select" },
      STEP_KINDS.map((value) => h("option", { value }, format.KIND_LABELS[value] ?? value)));
    const add = () => {
      const before = stepIds({ operations: draft.operations.slice(0, o + 1) });
      operation.steps.push(newStep(draft, kind.value, before));
      onEdit({ type: "step", o, s: operation.steps.length - 1 }, null);
    };
    return h("li", { class: "author-tree__operation", "data-operation": operation.id },
      h("div", { class: "author-tree__op-head" },
        h("button", {
          type: "button", class: "author-tree__select author-tree__select--operation", id: `tree-operation-${o}`,
          "aria-current": selected("operation", o) ? "true" : null, onClick: () => onSelect({ type: "operation", o }),
        }, h("span", { class: "author-tree__number" }, `${o + 1}`), h("span", { class: "author-tree__title" }, operation.title || operation.id),
        hasProblem(`/operations/${o}`) && !operation.steps.some((_, s) => hasProblem(stepPointer(o, s))) &&
          h("span", { class: "author-tree__problem" }, icon("alert"), h("span", { class: "visually-hidden" }, " has problems"))),
        h("div", { class: "author-actions" },
          smallButton("Up", null, () => move(draft.operations, o, o - 1) && onEdit({ type: "operation", o: o - 1 }, `tree-operation-${o - 1}`), { what, disabled: o === 0 }),
          smallButton("Down", null, () => move(draft.operations, o, o + 1) && onEdit({ type: "operation", o: o + 1 }, `tree-operation-${o + 1}`), { what }),
          smallButton("Duplicate", "layers", () => {
            draft.operations.splice(o + 1, 0, copyOperation(draft, operation));
            onEdit({ type: "operation", o: o + 1 }, null);
          }, { what }),
          smallButton("Remove", "ban", () => {
            draft.operations.splice(o, 1);
            onEdit({ type: "procedure" }, null);
          }, { what }))),
      h("ol", { class: "author-tree__steps", "aria-label": `Steps of ${operation.title}` },
        operation.steps.map((step, s) => stepItem(operation, o, step, s))),
      h("div", { class: "author-tree__add" },
        h("label", { class: "visually-hidden", for: kind.id }, `Kind of the new step in ${operation.title}`),
        kind,
        h("button", { type: "button", class: "button button--small", id: `add-step-${o}`, onClick: add }, icon("plus"), "Add step",
          h("span", { class: "visually-hidden" }, ` to ${operation.title}`))));
  }

  return h("nav", { class: "author-tree", "aria-label": "Procedure outline", id: "procedure-tree" },
    h("button", {
      type: "button", class: "author-tree__select author-tree__select--root", id: "tree-procedure",
      "aria-current": selection.type === "procedure" ? "true" : null, onClick: () => onSelect({ type: "procedure" }),
    }, icon("file"), h("span", { class: "author-tree__title" }, "Procedure and batch parameters"),
    (problems.some((at) => !at.startsWith("/operations/")) || problems.includes("/operations")) &&
      h("span", { class: "author-tree__problem" }, icon("alert"), h("span", { class: "visually-hidden" }, " has problems"))),
    h("ol", { class: "author-tree__operations" }, draft.operations.map(operationItem)),
    h("button", {
      type: "button", class: "button", id: "add-operation",
      onClick: () => {
        draft.operations.push(newOperation(draft));
        onEdit({ type: "operation", o: draft.operations.length - 1 }, null);
      },
    }, icon("plus"), "Add operation"));
}
