// A procedure definition being edited: JSON pointers into it, new steps of each kind, moves
// and copies that keep ids and value names unique. Pure functions on the JSON the API serves
// (the same model as the YAML files); the server alone decides whether it is valid.

export const STEP_KINDS = [
  "instruction", "data_entry", "checklist", "scan", "calculation", "timer", "verification", "photo", "dispense",
];
export const INPUT_TYPES = ["number", "text", "choice", "boolean", "scan", "photo"];
export const LIMIT_NAMES = ["min", "alert_min", "alert_max", "max"];

// Fields only some kinds of step carry; a step changing kind drops the others' fields.
const KIND_FIELDS = { calculation: "calculations", timer: "hold", verification: "verifies", dispense: "dispense" };

/** The pointer of a step: "/operations/1/steps/3". */
export function stepPointer(operation, step) {
  return `/operations/${operation}/steps/${step}`;
}

function tokens(pointer) {
  return pointer.split("/").slice(1).map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** The value at `pointer` (RFC 6901), undefined if there is none. */
export function valueAt(document, pointer) {
  let node = document;
  for (const token of tokens(pointer)) {
    if (node === null || typeof node !== "object") return undefined;
    node = node[token];
  }
  return node;
}

/** Set the value at `pointer`, creating objects on the way; null or undefined removes it. */
export function setAt(document, pointer, value) {
  const path = tokens(pointer);
  const last = path.pop();
  let node = document;
  for (const token of path) {
    if (node[token] === null || typeof node[token] !== "object") node[token] = {};
    node = node[token];
  }
  if (value === null || value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    node[last] = value;
  }
}

/** Move item `from` of `list` to index `to` (in place). */
export function move(list, from, to) {
  if (to < 0 || to >= list.length || from === to) return false;
  const [item] = list.splice(from, 1);
  list.splice(to, 0, item);
  return true;
}

export function stepIds(document) {
  return (document.operations ?? []).flatMap((operation) => (operation.steps ?? []).map((step) => step.id));
}

export function valueNames(document) {
  const names = (document.parameters ?? []).map((parameter) => parameter.name);
  for (const operation of document.operations ?? []) {
    for (const step of operation.steps ?? []) {
      for (const item of [...(step.inputs ?? []), ...(step.calculations ?? [])]) names.push(item.name);
      if (step.dispense?.name) names.push(step.dispense.name);
    }
  }
  return names;
}

/** `base`, or `base_2`, `base_3`… whichever is not in `taken`. */
export function uniqueName(base, taken) {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n += 1) {
    if (!used.has(`${base}_${n}`)) return `${base}_${n}`;
  }
}

/** A new input of `type`, named so as not to clash with `document`'s values. */
export function newInput(document, type = "number") {
  const name = uniqueName(type === "boolean" ? "check" : type === "scan" ? "scanned" : "value", valueNames(document));
  const input = { name, label: type === "boolean" ? "Item checked" : "New value", type, required: true };
  if (type === "choice") input.choices = ["Yes", "No"];
  if (type === "scan") input.expects = { kind: "equipment", type: "equipment" };
  return input;
}

export function newCalculation(document) {
  return { name: uniqueName("result", valueNames(document)), label: "Result", expression: "1" };
}

/** What a step of `kind` needs, added to `step` (ids and names unique in `document`). */
function fillKind(document, step, before) {
  const earlier = before.at(-1);
  if (step.kind === "checklist" && !step.inputs?.some((input) => input.type === "boolean")) {
    step.inputs = [newInput(document, "boolean")];
  } else if (["data_entry", "scan", "photo"].includes(step.kind)) {
    const type = { data_entry: null, scan: "scan", photo: "photo" }[step.kind];
    if (!step.inputs?.some((input) => type === null || input.type === type)) {
      step.inputs = [...(step.inputs ?? []), newInput(document, type ?? "number")];
    }
  } else if (step.kind === "calculation" && !step.calculations?.length) {
    step.calculations = [newCalculation(document)];
  } else if (step.kind === "timer" && !step.hold) {
    step.hold = { after: earlier ?? "", min_minutes: 5 };
  } else if (step.kind === "verification" && !step.verifies) {
    step.verifies = earlier ?? "";
  } else if (step.kind === "dispense" && !step.dispense) {
    step.dispense = {
      material: "", name: uniqueName("net_kg", valueNames(document)), target: "1", unit: "kg", tolerance_percent: 1,
    };
  }
  if (["instruction", "dispense"].includes(step.kind)) step.inputs = [];
  if (step.kind === "checklist") step.inputs = step.inputs.filter((input) => input.type === "boolean");
  return step;
}

/** A new step of `kind` for `document`, after the steps with ids `before`. */
export function newStep(document, kind, before) {
  const id = uniqueName(kind === "data_entry" ? "record" : kind, stepIds(document));
  return fillKind(document, { id, title: `New ${kind.replace("_", " ")} step`, kind, instruction: "" }, before);
}

/** Change `step` to `kind`: drop what only its old kind carries, add what the new one needs. */
export function changeKind(document, step, kind, before) {
  for (const [owner, field] of Object.entries(KIND_FIELDS)) {
    if (owner !== kind) delete step[field];
  }
  step.kind = kind;
  return fillKind(document, step, before);
}

/** A copy of `step` with a new id and new value names (a procedure names each value once). */
export function copyStep(document, step) {
  const copy = structuredClone(step);
  copy.id = uniqueName(`${step.id}_copy`, stepIds(document));
  copy.title = `${step.title} (copy)`;
  const taken = valueNames(document);
  const renamed = new Map();
  for (const item of [...(copy.inputs ?? []), ...(copy.calculations ?? [])]) {
    const name = uniqueName(item.name, taken);
    renamed.set(item.name, name);
    taken.push(name);
    item.name = name;
  }
  if (copy.dispense) copy.dispense.name = uniqueName(copy.dispense.name, taken);
  for (const calculation of copy.calculations ?? []) {
    calculation.expression = calculation.expression.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (word) => renamed.get(word) ?? word);
  }
  if (copy.yields) copy.yields.quantity_from = renamed.get(copy.yields.quantity_from) ?? copy.yields.quantity_from;
  return copy;
}

export function copyOperation(document, operation) {
  const ids = (document.operations ?? []).map((item) => item.id);
  const copy = { ...structuredClone(operation), id: uniqueName(`${operation.id}_copy`, ids), title: `${operation.title} (copy)`, steps: [] };
  const scratch = structuredClone(document);
  scratch.operations.push(copy);
  for (const step of operation.steps) {
    const stepCopy = copyStep(scratch, step);
    copy.steps.push(stepCopy);
  }
  return copy;
}

export function newOperation(document) {
  const id = uniqueName("operation", (document.operations ?? []).map((item) => item.id));
  const operation = { id, title: "New operation", steps: [] };
  const scratch = { ...document, operations: [...(document.operations ?? []), operation] };
  operation.steps.push(newStep(scratch, "instruction", stepIds(document)));
  return operation;
}

/** The ids of the steps before the one at (operation, step), in execution order. */
export function stepsBefore(document, operationIndex, stepIndex) {
  const ids = [];
  document.operations.forEach((operation, o) => {
    operation.steps.forEach((step, s) => {
      if (o < operationIndex || (o === operationIndex && s < stepIndex)) ids.push(step.id);
    });
  });
  return ids;
}

/** A server pointer, or a field path such as "operations.1.steps.0.id", as a pointer. */
export function pointerOf(entry) {
  const where = entry.pointer ?? entry.path ?? entry.field ?? "";
  if (typeof where !== "string") return "";
  if (where === "" || where.startsWith("/")) return where;
  return `/${where.replace(/^definition\./, "").replaceAll(".", "/")}`;
}
