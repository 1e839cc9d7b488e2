// The inputs of a step as the operator fills them in on a phone: large controls, the limits
// of a number shown before it is typed, scans from the camera, photos. Each input answers
// {name, element, control, setError(message|null), read()}; read() gives the value to send,
// undefined for nothing entered, or throws InputProblem for an entry that cannot be sent.

import { h, replace, uid } from "../dom.js";
import * as format from "../format.js";
import { field } from "./forms.js";
import { typeButton } from "./headset.js";
import { icon } from "./icons.js";
import { storePhoto } from "../offline/submit.js";
import { storableImage } from "./photo_upload.js";
import { classify, rangeBar } from "./range_bar.js";
import { bestCode, resolveText } from "./scan_capture.js";
import { chip, statusChip } from "./status.js";

/** An entry the browser already knows the server cannot take (e.g. letters in a number). */
export class InputProblem extends Error {}

const JUDGEMENTS = {
  ok: "Within limits.",
  alert: "In the alert band: explain it in a comment; a deviation will be opened.",
  out: "Outside the hard limits: the step will be refused.",
};

/**
 * The input for `spec` (an input of the procedure). `tools`: {scan(spec), photo()} from the
 * camera panel; `onChange()` after every edit; `batchId`: the batch run (equipment it holds is
 * available to it); `user`: who stores photos; `checklist`: booleans are boxes to tick.
 */
export function operatorInput(spec, { tools, onChange, batchId, user, checklist = false }) {
  const build = {
    number: numberInput,
    text: textInput,
    choice: choiceInput,
    boolean: checklist ? checkInput : yesNoInput,
    scan: scanInput,
    photo: photoInput,
  }[spec.type] ?? textInput;
  return { name: spec.name, spec, ...build(spec, { tools, onChange, batchId, user }) };
}

function controlId(spec) {
  return `input-${spec.name}`;
}

/** The input in a few words for a spoken label ("Type water added"): `say` if the label is long. */
function spokenName(spec) {
  return (spec.say ?? spec.label).toLowerCase();
}

function numberInput(spec, { onChange }) {
  const limits = spec.limits;
  const shown = format.limitSpec(spec, limits ?? {});
  const hard = limits && format.range(limits.min, limits.max, shown);
  const alert = limits && format.range(limits.alert_min, limits.alert_max, shown);
  const hint = [hard && `Hard limits ${hard}`, alert && `alert limits ${alert}`].filter(Boolean).join(" · ");
  const control = h("input", {
    id: controlId(spec), name: spec.name, type: "number", inputmode: "decimal", step: "any", autocomplete: "off",
    class: "op-input",
  });
  const built = field({ label: format.withUnit(spec.label, spec.unit && `(${spec.unit})`), hint: hint || null, control });
  control.before(typeButton(control, spokenName(spec)));
  const bar = h("div", { class: "op-judgement__bar" });
  // Only the words are announced as the value changes, not the whole picture each time.
  const words = h("p", { class: "op-judgement__text", "aria-live": "polite" });
  const judgement = h("div", { class: "op-judgement", id: `${control.id}-judgement` }, bar, words);
  const value = () => (control.value === "" ? undefined : Number(control.value));
  function judge() {
    const number = value();
    const band = classify(number, limits);
    replace(bar, limits && rangeBar(limits, number, spec));
    replace(words, band ? [statusChip("result", band), h("span", {}, JUDGEMENTS[band])] : []);
  }
  control.addEventListener("input", () => {
    judge();
    onChange();
  });
  built.element.append(judgement);
  judge();
  return {
    ...built,
    band: () => classify(value(), limits),
    read() {
      if (control.validity.badInput) throw new InputProblem("Enter a number, for example 10.5.");
      return value();
    },
  };
}

function textInput(spec, { onChange }) {
  const control = h("input", { id: controlId(spec), name: spec.name, autocomplete: "off", class: "op-input", onInput: onChange });
  const built = field({ label: spec.label, control });
  control.before(typeButton(control, spokenName(spec)));
  return { ...built, read: () => control.value.trim() || undefined };
}

/** A group of large radio buttons: `options` are [value, label] pairs. */
/**
 * The error line under a control or group: `setError(message|null)` shows it and makes it the
 * description of `controls` (marked invalid unless `invalid` is false, e.g. for buttons).
 */
function errorLine(id, controls, { invalid = true } = {}) {
  const element = h("p", { class: "field__error", id, hidden: true });
  function setError(message) {
    element.hidden = !message;
    replace(element, message ? [icon("alert"), h("span", {}, message)] : []);
    for (const control of controls) {
      if (message) {
        if (invalid) control.setAttribute("aria-invalid", "true");
        control.setAttribute("aria-describedby", id);
      } else {
        control.removeAttribute("aria-invalid");
        control.removeAttribute("aria-describedby");
      }
    }
  }
  return { element, setError };
}

/** A group of large radio buttons: `options` are [value, label] pairs. */
function radioGroup(spec, options, onChange) {
  const radios = options.map(([, label], index) =>
    h("input", { type: "radio", name: spec.name, value: String(index), id: `${controlId(spec)}-${index}`, onChange }));
  const error = errorLine(`${controlId(spec)}-error`, radios);
  const element = h(
    "fieldset",
    { class: "op-choices", id: controlId(spec) },
    h("legend", { class: "field__label" }, spec.label),
    h("div", { class: "op-choices__options" }, radios.map((radio, index) =>
      h("label", { class: "op-choice", for: radio.id }, radio, h("span", {}, options[index][1])))),
    error.element,
  );
  const read = () => {
    const chosen = radios.find((radio) => radio.checked);
    return chosen ? options[Number(chosen.value)][0] : undefined;
  };
  return { element, control: radios[0], setError: error.setError, read };
}

function choiceInput(spec, { onChange }) {
  return radioGroup(spec, (spec.choices ?? []).map((choice) => [choice, choice]), onChange);
}

function yesNoInput(spec, { onChange }) {
  return radioGroup(spec, [[true, "Yes"], [false, "No"]], onChange);
}

function checkInput(spec, { onChange }) {
  const control = h("input", { type: "checkbox", id: controlId(spec), name: spec.name, onChange });
  const error = errorLine(`${control.id}-error`, [control]);
  const element = h("div", { class: "op-check" },
    h("label", { class: "op-choice", for: control.id }, control, h("span", {}, spec.label)), error.element);
  return { element, control, setError: error.setError, read: () => control.checked };
}

// Equipment this batch cannot use says so before the step is refused, and why.
const EQUIPMENT_STATUSES = {
  clean: ["ok", "check", "Clean"],
  dirty: ["danger", "ban", "Unavailable: dirty, clean it and record the cleaning first"],
  in_use: ["danger", "ban", "Unavailable: in use by another batch"],
  maintenance: ["danger", "ban", "Unavailable: in maintenance"],
};
const IN_USE_HERE = ["ok", "play", "In use by this batch"];

function equipmentStatus(found, batchId) {
  return found.status === "in_use" && found.in_use_by === batchId ? IN_USE_HERE : EQUIPMENT_STATUSES[found.status];
}

/** What a scanned code identifies, in words, with its status for the batch `batchId`. */
function foundLine(code, batchId) {
  const found = code.resolves_to;
  if (!found) return [icon("alert"), h("span", {}, code.message || "This code identifies nothing known here.")];
  const equipment = found.kind === "equipment" && equipmentStatus(found, batchId);
  const status = equipment
    ? chip(...equipment, { "data-status": found.status })
    : statusChip("lot", found.status);
  return [
    h("span", {}, icon("scan"), " ", h("strong", {}, `${format.capitalise(found.kind)} ${found.code}`), ` · ${found.name}`),
    status,
  ];
}

function scanInput(spec, { tools, onChange, batchId }) {
  const expects = spec.expects ?? {};
  const wants = expects.kind === "material"
    ? `a lot or container of ${expects.material}`
    : `the ${String(expects.type ?? "equipment").replaceAll("_", " ")}`;
  const control = h("input", {
    id: controlId(spec), name: spec.name, autocomplete: "off", autocapitalize: "none", spellcheck: "false",
    class: "op-input op-input--code",
  });
  const built = field({ label: spec.label, hint: `Scan ${wants}, or type its code.`, control });
  control.before(typeButton(control, `${spokenName(spec)} code`));
  const found = h("p", { class: "op-scan__found", role: "status", id: `${control.id}-found` });
  const offer = h("div", { class: "op-scan__offer", hidden: true });
  const button = h("button", { type: "button", class: "button button--primary op-button", id: `${control.id}-scan`, onClick: scan },
    icon("scan"), `Scan ${spec.label.toLowerCase()} with the camera`);

  function fill(text, code) {
    control.value = text;
    built.setError(null);
    offer.hidden = true;
    replace(found, code ? foundLine(code, batchId) : []);
    onChange();
  }
  async function scan() {
    button.disabled = true;
    replace(found, h("span", {}, "Looking for a code…"));
    try {
      const code = await tools.scan(spec);
      if (code) fill(code.text, code);
      else replace(found, icon("alert"), h("span", {}, "No code found. Hold the label flat and steady in the picture, then scan again."));
    } catch (error) {
      replace(found, icon("alert"), h("span", {}, error?.detail ?? error?.message ?? String(error)));
    } finally {
      button.disabled = false;
    }
  }
  // A typed (or scanner-keyboard) code is looked up too, so the operator sees what it is.
  control.addEventListener("change", async () => {
    const text = control.value.trim();
    replace(found, []);
    if (!text) return;
    try {
      const code = bestCode(await resolveText(text), spec);
      if (control.value.trim() === text && code) replace(found, foundLine(code, batchId));
    } catch (error) {
      built.setError(error.errors?.[0]?.message ?? error.detail);
    }
  });
  control.addEventListener("input", onChange);
  built.element.append(button, found, offer);
  return {
    ...built,
    read: () => control.value.trim() || undefined,
    /**
     * A code the server read in the live video (a `scan` event, with what it `resolved` to):
     * offered, not put in unasked.
     */
    offer(text, resolved) {
      const code = resolved ? { text, resolves_to: resolved } : null;
      replace(offer,
        h("p", {}, icon("scan"), " The live camera read ", h("code", {}, text)),
        code && h("p", { class: "op-scan__found" }, foundLine(code, batchId)),
        h("button", { type: "button", class: "button op-button", id: `${control.id}-use-live`, onClick: () => fill(text, code) },
          icon("check"), "Use this code"));
      offer.hidden = false;
    },
    /** A code the live scanner refused (a `scan_rejected` event), with the reason. */
    reject(reason) {
      replace(found, icon("alert"), h("span", {}, `Live scan refused: ${reason}`));
    },
  };
}

function photoInput(spec, { tools, onChange, batchId, user }) {
  let mediaId;
  let preview = null;
  const id = controlId(spec);
  const take = h("button", { type: "button", class: "button button--primary op-button", id, onClick: () => attach(() => tools.photo()) },
    icon("eye"), "Take photo with the camera above");
  const fileId = uid("photo-file");
  // The file input stays keyboard-reachable; its label is what people see and tap.
  const file = h("input", { type: "file", id: fileId, class: "visually-hidden op-photo__file", accept: "image/jpeg,image/png,image/*", capture: "environment" });
  file.addEventListener("change", () => {
    const picked = file.files?.[0];
    file.value = "";
    if (picked) attach(() => storableImage(picked));
  });
  const error = errorLine(`${id}-error`, [take], { invalid: false });
  const state = h("div", { class: "op-photo__state", role: "status" }, h("span", { class: "muted" }, "No photo yet."));
  const element = h(
    "div",
    { class: "field op-photo", role: "group", "aria-labelledby": `${id}-label` },
    h("p", { class: "field__label", id: `${id}-label` }, spec.label),
    h("div", { class: "op-actions" }, take, file,
      h("label", { class: "button op-button", for: fileId }, icon("file"), "Use the phone's camera app")),
    error.element,
    state,
  );
  const { setError } = error;
  async function attach(capture) {
    take.disabled = true;
    setError(null);
    replace(state, h("span", {}, "Storing the photo…"));
    try {
      const image = await capture();
      const stored = await storePhoto(image, { batchId, user, label: spec.label });
      mediaId = stored.id;
      if (preview) URL.revokeObjectURL(preview);
      preview = URL.createObjectURL(image);
      replace(state,
        h("img", { class: "op-photo__thumb", src: preview, alt: `Photo for ${spec.label}` }),
        stored.waiting
          ? chip("info", "clock", "Photo kept, waiting to be sent", { "data-media": mediaId })
          : chip("ok", "check", "Photo stored", { "data-media": mediaId }));
      onChange();
    } catch (problem) {
      replace(state, h("span", { class: "muted" }, mediaId ? "The earlier photo is kept." : "No photo yet."));
      setError(problem?.detail ?? problem?.message ?? String(problem));
    } finally {
      take.disabled = false;
    }
  }
  return { element, control: take, setError, read: () => mediaId };
}
