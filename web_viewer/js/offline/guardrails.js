// The procedure's guardrails as the browser can check them, with the server's words
// (procedures/guardrails.py): required inputs, types, choices, hard limits (refused), alert
// limits (accepted with a comment, opening a deviation), checklist items ticked. A completion
// these pass is one the server accepts, so a page without a connection never says "ok" to
// what it could have refused. What only the server can judge is named by serverNeeded().

/** Why completing `definition` needs the server's answer first, or null if the page can
 * check it alone (mirrors headset_client.projection.server_needed). */
export function serverNeeded(definition) {
  if (definition.kind === "verification") return "a verification needs the verifier's e-signature, checked by the server";
  if (definition.signature) return "an e-signature is checked by the server";
  if (definition.dispense || (definition.inputs ?? []).some((input) => input.type === "scan")) {
    return "scanned codes are checked against equipment and lots on the server";
  }
  if (definition.hold) return "hold times are measured by the server's clock";
  if (definition.calculations?.length) return "the step's calculations are made and checked by the server";
  return null;
}

/** Whether the page can tell which step follows: a condition on a step is the server's to judge. */
export function decidesLocally(definition) {
  return definition.when == null;
}

/**
 * The problems of a completion of `definition` with `values` and `comment`, as the server
 * lists them ({field, message}, fields named `values.<input>` or `comment`); none: accepted.
 */
export function problemsOf(definition, values, comment) {
  const inputs = definition.inputs ?? [];
  const known = new Set(inputs.map((input) => input.name));
  const problems = Object.keys(values).filter((name) => !known.has(name))
    .map((name) => ({ field: `values.${name}`, message: "this step has no such field" }));
  for (const input of inputs) {
    const value = values[input.name];
    let message = valueProblem(input, value);
    if (!message && definition.kind === "checklist" && value !== true) message = `must be ticked: ${input.label}`;
    if (message) problems.push({ field: `values.${input.name}`, message });
  }
  // As on the server: only the values accepted count for the comment an alert needs.
  const refused = new Set(problems.map((problem) => problem.field));
  const accepted = Object.fromEntries(Object.entries(values).filter(([name]) => !refused.has(`values.${name}`)));
  const alerts = alertsOf(definition, accepted);
  if (alerts.length && !comment?.trim()) {
    problems.push({ field: "comment", message: `a comment must justify the values outside the alert limits: ${alerts.join(", ")}` });
  }
  return problems;
}

/** The labels of the inputs whose `values` are in the alert band: each opens a deviation. */
export function alertsOf(definition, values) {
  return (definition.inputs ?? [])
    .filter((input) => !absent(values[input.name]) && alertSide(input.limits, values[input.name]))
    .map((input) => input.label);
}

function absent(value) {
  return value === undefined || value === null || (typeof value === "string" && !value.trim());
}

function valueProblem(input, value) {
  if (absent(value)) return input.required === false ? null : `${input.label} is required`;
  if (input.type === "number") {
    if (typeof value !== "number" || !Number.isFinite(value)) return "must be a finite number";
    return limitProblem(input, value);
  }
  if (input.type === "boolean" && typeof value !== "boolean") return "must be true or false";
  if (input.choices && !input.choices.includes(value)) return `must be one of: ${input.choices.join(", ")}`;
  if (["text", "scan", "photo"].includes(input.type) && typeof value !== "string") return "must be text";
  return null;
}

function limitProblem(input, value) {
  const limits = input.limits;
  if (!limits) return null;
  if (limits.min != null && value < limits.min) return beyond(value, "below the minimum", limits.min, input.unit);
  if (limits.max != null && value > limits.max) return beyond(value, "above the maximum", limits.max, input.unit);
  return null;
}

function alertSide(limits, value) {
  if (!limits || typeof value !== "number") return null;
  if (limits.alert_min != null && value < limits.alert_min) return "below";
  if (limits.alert_max != null && value > limits.alert_max) return "above";
  return null;
}

/** Such as `12.9 kg is above the maximum 12.6 kg` (Python's ".10g" for the numbers). */
function beyond(value, relation, bound, unit) {
  const quantity = (number) => `${Number(number.toPrecision(10))}${unit ? ` ${unit}` : ""}`;
  return `${quantity(value)} is ${relation} ${quantity(bound)}`;
}
