// How times, numbers and values read on screen.

const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "2-digit",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZoneName: "short",
});

const DATE = new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "short", year: "numeric" });

/** "25 Nov 2026, 09:30:38 UTC" in the viewer's time zone (the zone is always shown). */
export function dateTime(iso) {
  return iso ? DATE_TIME.format(new Date(iso)) : "—";
}

const UTC_DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "2-digit",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
  timeZoneName: "short",
});

/** "25 Nov 2026, 09:30:38 UTC" always in UTC: how a signature's date and time read (21 CFR 11.50). */
export function utcDateTime(iso) {
  return iso ? UTC_DATE_TIME.format(new Date(iso)) : "—";
}

export function date(iso) {
  return iso ? DATE.format(new Date(iso)) : "—";
}

const DAY = new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "short", year: "numeric", timeZone: "UTC" });

/** A calendar date such as an expiry ("2028-06-30"): it has no time zone to convert. */
export function day(isoDate) {
  return isoDate ? DAY.format(new Date(`${isoDate}T00:00:00Z`)) : "—";
}

/**
 * A recorded number as entered: never rounded for display (the record must not hide digits),
 * padded to the input's display precision.
 */
export function number(value, decimals) {
  if (typeof value !== "number" || !Number.isFinite(value)) return String(value);
  const text = String(value);
  if (decimals === undefined || decimals === null) return text;
  const shown = (text.split(".")[1] ?? "").length;
  return shown >= decimals ? text : value.toFixed(decimals);
}

/**
 * The display spec of a set of limits: the input's precision, or else the finest precision
 * among the limits, so that 9.0–11.0 and 9.5–10.5 read alike.
 */
export function limitSpec(spec, limits) {
  if (spec.decimals !== undefined && spec.decimals !== null) return spec;
  const places = Object.values(limits ?? {})
    .filter((bound) => typeof bound === "number")
    .map((bound) => (String(bound).split(".")[1] ?? "").length);
  return { ...spec, decimals: Math.max(0, ...places) };
}

/** A limit for display, to the input's precision. */
export function limit(value, decimals) {
  if (typeof value !== "number") return "";
  return decimals === undefined || decimals === null ? String(value) : value.toFixed(decimals);
}

/** A recorded value of any input type, as text. */
export function value(raw, spec = {}) {
  if (raw === null || raw === undefined) return "—";
  if (typeof raw === "boolean") return raw ? "Yes" : "No";
  if (typeof raw === "number") return withUnit(number(raw, spec.decimals), spec.unit);
  if (typeof raw === "string") return raw;
  return JSON.stringify(raw);
}

export function withUnit(text, unit) {
  if (!unit) return text;
  return unit === "%" ? `${text} %` : `${text} ${unit}`;
}

/** "8.0–16.0 kN", "≤ 1.00 %", "≥ 20 rpm": a range with one or two ends. */
export function range(low, high, spec = {}) {
  const lo = limit(low, spec.decimals);
  const hi = limit(high, spec.decimals);
  let text;
  if (lo && hi) text = `${lo}–${hi}`;
  else if (lo) text = `≥ ${lo}`;
  else if (hi) text = `≤ ${hi}`;
  else return "";
  return withUnit(text, spec.unit);
}

export const KIND_LABELS = {
  instruction: "Instruction",
  data_entry: "Data entry",
  checklist: "Checklist",
  scan: "Scan",
  calculation: "Calculation",
  timer: "Timer",
  verification: "Verification",
  photo: "Photo",
  dispense: "Dispense",
};

export const ROLE_LABELS = {
  operator: "Operator",
  supervisor: "Supervisor",
  qa: "QA",
  author: "Author",
  admin: "Admin",
};

export function roles(list) {
  return (list ?? []).map((role) => ROLE_LABELS[role] ?? role).join(", ");
}

export function capitalise(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1).replaceAll("_", " ") : "";
}
