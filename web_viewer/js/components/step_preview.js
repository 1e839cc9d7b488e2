// The selected step as the operator will see it on the phone: the operator page's own step
// component, given a batch that exists only here. Nothing is sent: completing it only says so.

import { h } from "../dom.js";
import { operatorStep } from "./operator_step.js";

const TOOLS = {
  scan: async () => null,
  photo: async () => {
    throw new Error("Photos are taken on the phone; the preview stores none.");
  },
};

/** The phone's view of step `stepId` of `definition` (a procedure being edited), for `user`. */
export function stepPreview(definition, stepId, user) {
  const steps = definition.operations.flatMap((operation) => operation.steps).map((step) => ({
    step_id: step.id,
    title: step.title,
    definition: step,
    state: step.id === stepId ? "active" : "pending",
  }));
  const record = steps.find((step) => step.step_id === stepId);
  const batch = { id: "preview", status: "in_progress", current_step: stepId, steps };
  const note = h("p", { class: "author-preview__note", role: "status" });
  const step = operatorStep({ batch, record, user, tools: TOOLS, onCompleted: () => {}, onStale: () => {} });
  // The operator page sends the completion when the form is submitted; the preview never does.
  step.element.addEventListener("submit", (event) => {
    event.preventDefault();
    event.stopPropagation();
    note.textContent = "Preview only: on the phone this would complete the step.";
  }, true);
  return h("div", { class: "operator author-preview__phone", id: "step-preview" }, step.element, note);
}
