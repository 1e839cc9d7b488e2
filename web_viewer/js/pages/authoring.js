// Authoring: the procedures an author may change, and a new procedure started from nothing.

import { api, ApiError } from "../api.js";
import { append, h } from "../dom.js";
import * as format from "../format.js";
import { createDraft } from "../authoring_api.js";
import { field, formMessage, showProblem } from "../components/forms.js";
import { icon } from "../components/icons.js";
import { statusChip } from "../components/status.js";

export async function show(ctx) {
  ctx.setTitle("Authoring");
  ctx.setSection("authoring");
  const procedures = await api.getAll("/procedures");
  if (!ctx.isCurrent()) return;
  append(ctx.main,
    h("div", { class: "page-head" }, h("div", {},
      h("h1", { tabindex: "-1" }, "Authoring"),
      h("p", { class: "page-lead" }, "Write and revise procedures, compare versions, send them for review and approve them."))),
    ctx.user.can?.author_procedures && newProcedureForm(ctx),
    procedures.length === 0
      ? h("div", { class: "empty" }, icon("file"), h("p", {}, "No procedures yet."))
      : h("ul", { class: "author-procedures" }, procedures.map(procedureItem)));
}

function procedureItem(procedure) {
  const latest = [...procedure.versions].sort((a, b) => b.version - a.version)[0];
  return h("li", { class: "author-procedure", "data-procedure": procedure.key },
    h("a", { class: "strong-link", href: `#/authoring/${encodeURIComponent(procedure.key)}` }, procedure.title),
    h("code", { class: "muted" }, procedure.key),
    latest && h("span", {}, `Version ${latest.version} `, statusChip("version", latest.status)),
    latest && h("span", { class: "muted" }, `changed ${format.date(latest.edited_at ?? latest.created_at)}`));
}

/** A new procedure: its key and title; the editor opens on its first draft. */
function newProcedureForm(ctx) {
  const key = field({
    label: "Key",
    hint: "Lower case letters, digits, - and _; it never changes, e.g. stw-102-coating",
    control: h("input", { id: "new-procedure-key", name: "key", autocomplete: "off", spellcheck: "false", required: true }),
  });
  const title = field({ label: "Title", control: h("input", { id: "new-procedure-title", name: "title", autocomplete: "off", required: true }) });
  const message = formMessage();
  const submit = h("button", { type: "submit", class: "button button--primary", id: "create-procedure" }, icon("plus"), "Create draft");
  async function create(event) {
    event.preventDefault();
    message.clear();
    const wanted = key.control.value.trim();
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(wanted)) {
      key.setError("Use lower case letters, digits, - and _, starting with a letter or digit.");
      key.control.focus();
      return;
    }
    submit.disabled = true;
    try {
      const draft = await createDraft(wanted, { title: title.control.value.trim() || null });
      ctx.navigate(`#/authoring/${encodeURIComponent(wanted)}/${draft.version}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const { placed } = showProblem(error, { key, title });
      if (!placed) message.show(error.detail);
    } finally {
      submit.disabled = false;
    }
  }
  return h("form", { class: "panel author-new", novalidate: true, "aria-labelledby": "new-procedure-heading", onSubmit: create },
    h("h2", { id: "new-procedure-heading" }, "New procedure"),
    message.element,
    h("div", { class: "author-row" }, key.element, title.element),
    submit);
}
