// Creating a batch from an approved procedure version (supervisors).

import { api } from "../api.js";
import { append, h, replace } from "../dom.js";
import * as format from "../format.js";
import { field, formMessage, showProblem } from "../components/forms.js";
import { icon } from "../components/icons.js";

const FRIENDLY = {
  string_pattern_mismatch: "Use letters, digits and . _ / - only, starting with a letter or digit.",
};

export async function show(ctx) {
  ctx.setTitle("New batch");
  ctx.setSection("batches");
  const head = h("div", { class: "page-head" }, h("div", {},
    h("a", { class: "back-link", href: "#/batches" }, icon("back"), "All batches"),
    h("h1", { tabindex: "-1" }, "New batch")));
  if (!ctx.user.can.create_batches) {
    append(ctx.main, head, h("p", { class: "notice notice--info" }, icon("lock"), "Only supervisors can create batches."));
    return;
  }
  const procedures = await api.getAll("/procedures");
  if (!ctx.isCurrent()) return;
  const approved = procedures.flatMap((procedure) =>
    procedure.versions
      .filter((version) => version.status === "approved")
      .map((version) => ({ key: procedure.key, title: procedure.title, version: version.version })),
  );
  if (approved.length === 0) {
    append(ctx.main, head, h("p", { class: "notice notice--info" }, icon("info"), "No procedure has an approved version yet."));
    return;
  }

  const procedure = field({
    label: "Procedure",
    hint: "Only approved versions can be used. The batch keeps this exact version.",
    control: h("select", { name: "procedure" }, approved.map((item, index) =>
      h("option", { value: String(index) }, `${item.title} (version ${item.version})`))),
  });
  const batchNumber = field({
    label: "Batch number",
    hint: "Letters, digits and . _ / - ; for example STW101-C-0002.",
    control: h("input", { name: "batch_number", autocomplete: "off", spellcheck: "false", maxlength: 64 }),
  });
  const parameterBox = h("fieldset", { class: "fieldset" }, h("legend", {}, "Batch parameters"));
  const message = formMessage();
  const submit = h("button", { type: "submit", class: "button button--primary" }, "Create batch");
  let parameterFields = {};
  let definition = null;

  async function loadParameters() {
    const chosen = approved[Number(procedure.control.value)];
    const version = await api.get(`/procedures/${encodeURIComponent(chosen.key)}/versions/${chosen.version}`);
    if (!ctx.isCurrent()) return;
    definition = version.definition;
    parameterFields = {};
    const items = (definition.parameters ?? []).map((parameter) => {
      const limits = parameter.limits ?? {};
      const numeric = parameter.type !== "text";
      const input = h("input", {
        name: `parameter-${parameter.name}`,
        type: numeric ? "number" : "text",
        inputmode: numeric ? "decimal" : null,
        step: numeric ? "any" : null,
        value: parameter.default ?? "",
      });
      const range = format.range(limits.min, limits.max, parameter);
      const built = field({
        label: format.withUnit(parameter.label, parameter.unit && `(${parameter.unit})`),
        hint: range ? `Allowed: ${range}.` : null,
        control: input,
      });
      parameterFields[`parameters.${parameter.name}`] = { ...built, parameter };
      return built.element;
    });
    replace(parameterBox, h("legend", {}, "Batch parameters"),
      items.length ? items : h("p", { class: "muted" }, "This procedure has no batch parameters."));
  }

  procedure.control.addEventListener("change", () => loadParameters().catch(ctx.reportError));

  async function create(event) {
    event.preventDefault();
    message.clear();
    const chosen = approved[Number(procedure.control.value)];
    const parameters = {};
    for (const { control, parameter } of Object.values(parameterFields)) {
      const raw = control.value.trim();
      if (raw === "") continue;
      parameters[parameter.name] = parameter.type === "text" ? raw : Number(raw);
    }
    submit.disabled = true;
    try {
      const batch = await api.post("/batches", {
        procedure: chosen.key,
        version: chosen.version,
        batch_number: batchNumber.control.value.trim(),
        parameters,
      });
      ctx.navigate(`#/batches/${encodeURIComponent(batch.id)}`);
    } catch (error) {
      submit.disabled = false;
      const fields = { procedure, version: procedure, batch_number: batchNumber, ...parameterFields };
      if (error.kind === "batch-number-taken") {
        error.errors = [{ field: "batch_number", message: error.detail }];
      }
      error.errors = error.errors.map((entry) => ({ ...entry, message: FRIENDLY[entry.code] ?? entry.message }));
      const { placed, unplaced } = showProblem(error, fields);
      if (!placed || unplaced.length) message.show([error.detail, ...unplaced].join(" "));
      else message.show("The batch was not created. Check the highlighted fields.");
    }
  }

  await loadParameters();
  if (!ctx.isCurrent()) return;
  append(ctx.main, 
    head,
    h(
      "form",
      { class: "form-card", novalidate: true, "aria-label": "New batch", onSubmit: create },
      message.element,
      procedure.element,
      batchNumber.element,
      parameterBox,
      h("div", { class: "form-actions" }, submit, h("a", { class: "button button--quiet", href: "#/batches" }, "Cancel")),
    ),
  );
}
