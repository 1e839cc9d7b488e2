// The console's batch panels: the head (who streams, how many watch) and the batch's progress
// beside the video.

import { h, replace } from "../dom.js";
import { icon } from "../components/icons.js";
import { progressBar } from "../components/progress.js";
import { statusChip } from "../components/status.js";
import { stepCard } from "../components/step_card.js";
import { streamChip } from "./console.js";

/**
 * The head of the session on `batch`: {element, update(stream)}; `name` names a stream other
 * than the batch's main one; `stream` is null when not live.
 */
export function sessionHead(batch, { name }) {
  const facts = h("div", { class: "console-head__facts" });
  const element = h(
    "header",
    { class: "console-head" },
    h("div", {},
      h("p", { class: "eyebrow" }, "Expert console"),
      h("h1", { tabindex: "-1" }, `Batch ${batch.batch_number}`, name ? ` · ${name}` : "")),
    facts,
  );
  return {
    element,
    update(stream) {
      replace(
        facts,
        streamChip(Boolean(stream)),
        stream && h("span", {}, icon("user"), ` Streamed by ${stream.publisher}`),
        stream && h("span", {}, icon("eye"), ` ${stream.viewers} ${stream.viewers === 1 ? "viewer" : "viewers"}`),
        h("a", { href: `#/batches/${encodeURIComponent(batch.id)}` }, "Open the batch record"),
      );
    },
  };
}

/** The batch's progress panel: {element, update(batch)}. */
export function batchPanel(ctx) {
  // Focusable: on a wide screen it scrolls in its own box, which keyboard users scroll too.
  const element = h("section", { class: "panel console-batch", "aria-labelledby": "console-batch-title", tabindex: "0" });
  return {
    element,
    update(batch) {
      ctx.preservingFocus(() => replace(element, batchProgress(batch)));
    },
  };
}

/** Progress, every step's state, the active and last steps. */
function batchProgress(batch) {
  const titles = new Map(batch.steps.map((step) => [step.step_id, step.title]));
  const number = new Map(batch.steps.map((step, index) => [step.step_id, index + 1]));
  const active = batch.steps.find((step) => step.state === "active");
  const last = batch.steps.filter((step) => step.state === "completed").at(-1);
  const card = (step, label, modifier) =>
    h("div", { class: ["console-batch__card", modifier] },
      h("p", { class: "eyebrow" }, label),
      h("ol", { class: "steps" }, stepCard({ definition: step.definition, record: step, number: number.get(step.step_id), titles })));
  // The active step first: where the console is one screen high, it is what stays in view.
  return [
    h("h2", { id: "console-batch-title" }, "Batch progress"),
    progressBar(batch.progress),
    active && card(active, "Active step", "console-batch__card--active"),
    h("ol", { class: "console-steps", "aria-label": "Steps" }, batch.steps.map((step) =>
      h("li", { class: ["console-steps__item", step.state === "active" && "console-steps__item--active"], "data-console-step": step.step_id },
        h("span", { class: "console-steps__title" }, `${number.get(step.step_id)}. ${step.title}`),
        statusChip("step", step.state)))),
    last && card(last, "Last recorded step"),
  ];
}
