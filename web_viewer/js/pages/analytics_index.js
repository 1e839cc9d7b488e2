// Process analytics: choose the procedure whose batches to study.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { icon } from "../components/icons.js";

export async function show(ctx) {
  ctx.setTitle("Analytics");
  ctx.setSection("analytics");
  const procedures = await api.getAll("/procedures");
  if (!ctx.isCurrent()) return;
  append(
    ctx.main,
    h("div", { class: "page-head" }, h("div", {},
      h("h1", { tabindex: "-1" }, "Analytics"),
      h("p", { class: "page-lead" },
        "Parameters and outcomes across batches: control charts, capability, and which recorded parameter moved an outcome."))),
    procedures.length === 0
      ? h("div", { class: "empty" }, icon("chart"), h("p", {}, "No procedures loaded yet."))
      : h("ul", { class: "analytics-procedures", "aria-label": "Procedures" }, procedures.map((procedure) =>
        h("li", { "data-procedure": procedure.key },
          h("a", { class: "analytics-procedures__link", href: `#/analytics/${encodeURIComponent(procedure.key)}` },
            icon("chart"),
            h("span", { class: "analytics-procedures__title" }, procedure.title),
            h("code", { class: "muted" }, procedure.key))))),
  );
}
