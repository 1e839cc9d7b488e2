// The procedure library: every procedure with its versions and their status.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import * as format from "../format.js";
import { icon } from "../components/icons.js";
import { statusChip } from "../components/status.js";

export async function show(ctx) {
  ctx.setTitle("Procedures");
  ctx.setSection("procedures");
  const procedures = await api.getAll("/procedures");
  if (!ctx.isCurrent()) return;
  append(ctx.main, 
    h("div", { class: "page-head" }, h("div", {},
      h("h1", { tabindex: "-1" }, "Procedures"),
      h("p", { class: "page-lead" }, "Master procedures and their versions. Batches can only use an approved version.")),
      (ctx.user.can?.author_procedures || ctx.user.can?.approve_procedures) &&
        h("a", { class: "button", href: "#/authoring", id: "open-authoring" }, icon("pencil"), "Write and review procedures")),
    procedures.length === 0
      ? h("div", { class: "empty" }, icon("file"), h("p", {}, "No procedures loaded yet."))
      : h("div", { class: "table-wrap" }, table(procedures)),
  );
}

function table(procedures) {
  return h(
    "table",
    { class: "list-table procedures-table" },
    h("caption", { class: "visually-hidden" }, "Procedures"),
    h("thead", {}, h("tr", {}, ["Procedure", "Key", "Versions"].map((title) => h("th", { scope: "col" }, title)))),
    h(
      "tbody",
      {},
      procedures.map((procedure) =>
        h(
          "tr",
          { "data-procedure": procedure.key },
          h("th", { scope: "row", "data-label": "Procedure" }, procedure.title),
          h("td", { "data-label": "Key" }, h("code", {}, procedure.key)),
          h(
            "td",
            { "data-label": "Versions" },
            h(
              "ul",
              { class: "versions" },
              [...procedure.versions].sort((a, b) => b.version - a.version).map((version) =>
                h(
                  "li",
                  { class: "versions__item" },
                  h("a", { class: "strong-link", href: `#/procedures/${encodeURIComponent(procedure.key)}/${version.version}` },
                    `Version ${version.version}`),
                  statusChip("version", version.status),
                  h("span", { class: "muted" },
                    version.approved_at ? `approved ${format.date(version.approved_at)}` : `loaded ${format.date(version.created_at)}`),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
