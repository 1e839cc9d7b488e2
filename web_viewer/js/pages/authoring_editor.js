// Editing a draft procedure version: the outline on the left, the selected part's form in the
// middle, the phone's view of the selected step on the right. Every edit is saved shortly
// after typing stops (PUT with If-Match): the server validates and answers with the pointer of
// each problem, shown at its field; an edit someone else saved first is never overwritten.

import { ApiError } from "../api.js";
import { append, h, replace } from "../dom.js";
import * as format from "../format.js";
import { attachStepMedia, detachStepMedia, readVersion, saveDraft, transition, yamlHref } from "../authoring_api.js";
import { boundField } from "../components/bound_fields.js";
import { formMessage } from "../components/forms.js";
import { icon } from "../components/icons.js";
import { PointerFields } from "../components/pointer_fields.js";
import { procedureTree } from "../components/procedure_tree.js";
import { statusChip } from "../components/status.js";
import { stepEditor } from "../components/step_editor.js";
import { stepPreview } from "../components/step_preview.js";
import { pointerOf, setAt } from "../procedure_draft.js";
import { parametersEditor } from "../components/parameters_editor.js";

// Saving waits this long after the last keystroke: validation as one types, not per key.
const SAVE_DELAY_MS = 700;

export async function show(ctx) {
  ctx.setSection("authoring");
  const [key, number] = ctx.params;
  const { version, etag } = await readVersion(key, number);
  if (!ctx.isCurrent()) return undefined;
  ctx.setTitle(`Edit ${version.title}, version ${version.version}`);
  const back = h("a", { class: "back-link", href: `#/authoring/${encodeURIComponent(key)}` }, icon("back"), "Versions of this procedure");
  if (version.status !== "draft") {
    append(ctx.main, back, h("h1", { tabindex: "-1" }, version.title),
      h("p", { class: "notice notice--info" }, icon("lock"),
        `Version ${version.version} is ${format.capitalise(version.status).toLowerCase()}: only drafts change. Create a new draft from it on the versions page.`));
    return undefined;
  }
  return new DraftEditor(ctx, key, version, etag).mount(back);
}

class DraftEditor {
  constructor(ctx, key, version, etag) {
    this.ctx = ctx;
    this.key = key;
    this.version = version;
    this.etag = etag;
    this.draft = structuredClone(version.definition);
    this.fields = new PointerFields();
    this.problems = [];
    this.selection = this.draft.operations?.[0]?.steps?.length ? { type: "step", o: 0, s: 0 } : { type: "procedure" };
    this.timer = null;
    this.saving = null;
    this.unsaved = false;
    this.conflict = false;
    this.status = h("p", { class: "author-status", id: "save-status", role: "status" }, "All changes saved.");
    this.message = formMessage();
    this.summary = h("div", { class: "author-problems", id: "draft-problems" });
    this.treeSlot = h("div", { class: "author-layout__tree" });
    this.formSlot = h("div", { class: "author-layout__form" });
    this.previewSlot = h("aside", { class: "author-layout__preview", "aria-labelledby": "preview-title" });
  }

  mount(back) {
    this.draft.operations ??= [];
    const submit = h("button", { type: "button", class: "button button--primary", id: "submit-draft", onClick: () => this.submit(submit) },
      icon("shield"), "Submit for review");
    append(this.ctx.main,
      back,
      h("header", { class: "author-head" },
        h("div", {},
          h("p", { class: "eyebrow" }, `Draft version ${this.version.version}`),
          h("h1", { tabindex: "-1", id: "editor-title" }, `Edit: ${this.version.title}`)),
        h("div", { class: "author-head__actions" },
          statusChip("version", this.version.status),
          this.status,
          h("button", { type: "button", class: "button", id: "save-draft", onClick: () => this.saveNow() }, icon("check"), "Save now"),
          h("a", { class: "button button--quiet", href: yamlHref(this.key, this.version.version), download: `${this.key}-v${this.version.version}.yaml` },
            icon("download"), "Export YAML"),
          submit)),
      this.message.element,
      this.summary,
      h("div", { class: "author-layout" }, this.treeSlot, this.formSlot, this.previewSlot));
    this.render();
    // Leaving the page sends what typing-stopped-saving had not sent yet.
    return () => {
      clearTimeout(this.timer);
      if (this.unsaved && !this.conflict) this.save();
    };
  }

  /** The editor's view of itself for the form components. */
  get binding() {
    return {
      draft: this.draft,
      fields: this.fields,
      changed: (options) => this.changed(options),
      setValue: (pointer, value) => setAt(this.draft, pointer, value),
      media: {
        attach: (stepId, file, caption) => this.changeMedia((etag) =>
          attachStepMedia(this.key, this.version.version, stepId, file, caption, etag)),
        detach: (stepId, mediaId) => this.changeMedia((etag) =>
          detachStepMedia(this.key, this.version.version, stepId, mediaId, etag)),
      },
    };
  }

  /** Attach or detach a step's file: the draft is saved first, then changed on the server
   * (the media store holds the file), then shown as the server saved it. */
  async changeMedia(send) {
    if (!(await this.saveNow())) {
      if (this.problems.length) this.reveal(this.problems[0].pointer);
      return;
    }
    try {
      await send(this.etag);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        this.conflictFound();
        return;
      }
      throw error;
    }
    const { version, etag } = await readVersion(this.key, this.version.version);
    if (!this.ctx.isCurrent()) return;
    this.version = version;
    this.etag = etag;
    this.draft = structuredClone(version.definition);
    this.setStatus(`All changes saved (revision ${version.revision}).`);
    this.render();
  }

  render() {
    this.ctx.preservingFocus(() => {
      this.renderTree();
      this.renderForm();
      this.renderPreview();
      this.renderProblems();
    });
  }

  renderTree() {
    replace(this.treeSlot, procedureTree({
      draft: this.draft,
      selection: this.selection,
      problems: this.problems.map((problem) => problem.pointer),
      onSelect: (selection) => this.select(selection),
      onEdit: (selection, focusId) => {
        this.selection = selection;
        this.changed({ structural: true });
        if (focusId) document.getElementById(focusId)?.focus();
      },
    }));
  }

  renderForm() {
    this.fields.clear();
    const { type, o, s } = this.selection;
    const editor = this.binding;
    let form;
    if (type === "step" && this.draft.operations[o]?.steps[s]) {
      form = stepEditor(editor, o, s);
    } else if (type === "operation" && this.draft.operations[o]) {
      form = h("form", { class: "author-step", novalidate: true, "aria-labelledby": "operation-editor-title", onSubmit: (event) => event.preventDefault() },
        h("h2", { id: "operation-editor-title", tabindex: "-1" }, `Operation ${o + 1}: ${this.draft.operations[o].title}`),
        h("div", { class: "author-row" },
          boundField(editor, `/operations/${o}/title`, { label: "Title", required: true }).element,
          boundField(editor, `/operations/${o}/id`, { label: "Operation id", required: true }).element),
        h("p", { class: "muted" }, "Add, reorder and duplicate its steps in the outline."));
      editor.fields.add(`/operations/${o}`, editor.fields.find(`/operations/${o}/title`));
    } else {
      this.selection = { type: "procedure" };
      form = h("form", { class: "author-step", novalidate: true, "aria-labelledby": "procedure-editor-title", onSubmit: (event) => event.preventDefault() },
        h("h2", { id: "procedure-editor-title", tabindex: "-1" }, "Procedure"),
        h("p", {}, "Key ", h("code", {}, this.draft.key ?? this.key)),
        boundField(editor, "/title", { label: "Title", required: true }).element,
        boundField(editor, "/description", { label: "Description", type: "textarea" }).element,
        h("div", { class: "author-row" },
          boundField(editor, "/product", { label: "Product" }).element,
          boundField(editor, "/stage", { label: "Stage" }).element),
        parametersEditor(editor));
      editor.fields.add("", editor.fields.find("/title"));
    }
    replace(this.formSlot, form);
    this.fields.show(this.problems);
  }

  renderPreview() {
    const { type, o, s } = this.selection;
    const step = type === "step" ? this.draft.operations[o]?.steps[s] : null;
    replace(this.previewSlot,
      h("h2", { id: "preview-title" }, icon("eye"), "Operator preview"),
      step ? stepPreview(this.draft, step.id, this.ctx.user) : h("p", { class: "muted" }, "Select a step to see it as the operator will."));
  }

  /** Problems no field on screen shows, each with a way to the part it concerns. */
  renderProblems() {
    const shown = new Set(this.problems.filter((problem) => this.fields.find(problem.pointer)));
    const rest = this.problems.filter((problem) => !shown.has(problem));
    if (!this.problems.length) {
      replace(this.summary);
      return;
    }
    replace(this.summary, h("div", { class: "form-message form-message--danger" }, icon("alert"),
      h("div", {},
        h("p", {}, `Not saved: the server found ${this.problems.length === 1 ? "a problem" : `${this.problems.length} problems`}. ${shown.size ? "They are marked at their fields." : ""}`),
        rest.length > 0 && h("ul", {}, rest.map((problem) => h("li", {},
          h("button", { type: "button", class: "button button--quiet button--small", onClick: () => this.reveal(problem.pointer) },
            h("code", {}, problem.pointer || "/"), ": ", problem.message)))))));
  }

  /** Select the part of the procedure `pointer` is in. */
  reveal(pointer) {
    const match = /^\/operations\/(\d+)(?:\/steps\/(\d+))?/.exec(pointer);
    if (!match) this.select({ type: "procedure" });
    else if (match[2] === undefined) this.select({ type: "operation", o: Number(match[1]) });
    else this.select({ type: "step", o: Number(match[1]), s: Number(match[2]) });
    this.fields.find(pointer)?.control?.focus();
  }

  select(selection) {
    this.selection = selection;
    this.render();
    this.formSlot.querySelector("h2")?.focus();
  }

  changed({ structural }) {
    this.unsaved = true;
    this.setStatus("Unsaved changes…");
    if (structural) this.render();
    else {
      this.ctx.preservingFocus(() => {
        this.renderTree();
        this.renderPreview();
      });
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  async saveNow() {
    clearTimeout(this.timer);
    await this.save();
    return this.unsaved === false && this.problems.length === 0;
  }

  async save() {
    if (this.conflict) return;
    if (this.saving) {
      await this.saving;
      if (!this.unsaved) return;
    }
    this.saving = this.send().finally(() => {
      this.saving = null;
    });
    await this.saving;
  }

  async send() {
    const sent = JSON.stringify(this.draft);
    this.setStatus("Saving…");
    try {
      const saved = await saveDraft(this.key, this.version.version, JSON.parse(sent), this.etag);
      if (!this.ctx.isCurrent()) return;
      this.etag = saved.etag;
      this.version = { ...this.version, ...saved.version };
      if (JSON.stringify(this.draft) === sent) this.unsaved = false;
      this.problems = [];
      this.message.clear();
      this.setStatus(this.unsaved ? "Unsaved changes…" : `All changes saved (revision ${saved.version.revision ?? "new"}).`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (!this.ctx.isCurrent()) return;
      if (error.status === 422) {
        this.problems = error.errors.map((entry) => ({ pointer: pointerOf(entry), message: entry.message }));
        this.setStatus("Not saved: see the problems marked.");
      } else if (error.status === 412) {
        this.conflictFound();
        return;
      } else {
        this.setStatus("Not saved.");
        this.message.show(error.detail);
        return;
      }
    }
    this.ctx.preservingFocus(() => {
      this.renderTree();
      this.fields.show(this.problems);
      this.renderProblems();
    });
  }

  conflictFound() {
    this.conflict = true;
    this.setStatus("Not saved: changed by someone else.");
    replace(this.message.element);
    this.message.element.hidden = false;
    this.message.element.className = "form-message form-message--danger";
    this.message.element.id = "draft-conflict";
    append(this.message.element, icon("alert"),
      h("div", {},
        h("p", {}, "Someone else saved a change to this draft after you opened it. Your latest changes were not saved, so that theirs are not overwritten."),
        h("button", { type: "button", class: "button", id: "reload-draft", onClick: () => this.ctx.navigate(`#/authoring/${encodeURIComponent(this.key)}/${this.version.version}?reload=${Date.now()}`) },
          icon("reconnect"), "Reload their version")));
    this.message.element.querySelector("button").focus();
  }

  async submit(button) {
    button.disabled = true;
    try {
      if (!(await this.saveNow())) {
        if (this.problems.length) this.reveal(this.problems[0].pointer);
        return;
      }
      await transition(this.key, this.version.version, "submit");
      this.ctx.announce("Submitted for review.");
      this.ctx.navigate(`#/authoring/${encodeURIComponent(this.key)}?submitted=${this.version.version}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.message.show(error.detail);
    } finally {
      button.disabled = false;
    }
  }
}
