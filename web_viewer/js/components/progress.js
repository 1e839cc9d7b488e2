// Step progress of a batch: a bar and the same in words.

import { h } from "../dom.js";

export function progressBar({ total, completed, skipped }) {
  const done = completed + skipped;
  const percent = total ? Math.round((done / total) * 100) : 0;
  const fill = h("span", { class: "progress__fill" });
  fill.style.width = `${percent}%`; // CSSOM, not an inline style attribute: allowed by the CSP
  const words = `${completed} of ${total} steps done${skipped ? `, ${skipped} skipped` : ""}`;
  return h(
    "div",
    { class: "progress" },
    h(
      "span",
      {
        class: "progress__track",
        role: "progressbar",
        "aria-valuemin": 0,
        "aria-valuemax": total,
        "aria-valuenow": done,
        "aria-valuetext": words,
        "aria-label": "Step progress",
      },
      fill,
    ),
    h("span", { class: "progress__text" }, words),
  );
}
