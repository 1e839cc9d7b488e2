// The analytics API (GET /api/v1/analytics/procedures/{key}/...), read into the shapes the
// analytics components draw. Only this module knows the answers' field names.

import { api } from "./api.js";

const BASE = "/api/v1/analytics/procedures";

function path(key, ...parts) {
  return [`${BASE}/${encodeURIComponent(key)}`, ...parts.map(encodeURIComponent)].join("/");
}

function withInclude(url, includeAll, extra = {}) {
  const query = new URLSearchParams(extra);
  if (includeAll) query.set("include", "all");
  const text = query.toString();
  return text ? `${url}?${text}` : url;
}

/** The batches × recorded numbers table: {title, includeAll, columns, rows}. */
export async function table(key, includeAll) {
  const answer = await api.get(withInclude(path(key, "table"), includeAll));
  return {
    key,
    title: answer.title ?? key,
    includeAll: answer.include === "all",
    columns: answer.columns.map(columnOf),
    rows: answer.batches,
  };
}

export function tableCsvUrl(key, includeAll) {
  return withInclude(path(key, "table"), includeAll, { format: "csv" });
}

/** One parameter's individuals chart: points in batch order, limits, rules, capability. */
export async function trend(key, name, includeAll) {
  const answer = await api.get(withInclude(path(key, "parameters", name, "trend"), includeAll));
  return trendOf(answer);
}

export function trendChartUrl(key, name, includeAll) {
  return withInclude(path(key, "parameters", name, "trend"), includeAll);
}

/** The parameters ranked by association with an outcome. */
export async function drivers(key, name, includeAll) {
  const answer = await api.get(withInclude(path(key, "outcomes", name, "drivers"), includeAll));
  return driversOf(answer);
}

export function driversChartUrl(key, name, includeAll) {
  return withInclude(path(key, "outcomes", name, "drivers"), includeAll);
}

export function scatterChartUrl(key, outcome, parameter, includeAll) {
  return withInclude(path(key, "outcomes", outcome, "scatter", parameter), includeAll);
}

function columnOf(column) {
  return { ...column, outcome: column.role === "outcome" };
}

function trendOf(answer) {
  return {
    parameter: answer.parameter,
    points: answer.points.map((point) => ({ ...point, rules: point.rules ?? [] })),
    limits: answer.limits ?? {},
    mean: answer.mean,
    ucl: answer.ucl,
    lcl: answer.lcl,
    sigmaWithin: answer.sigma_within,
    sigmaOverall: answer.sigma_overall,
    rules: answer.rules_fired ?? [],
    capability: {
      cpk: answer.capability?.cpk,
      ppk: answer.capability?.ppk,
      batches: answer.capability?.batches ?? answer.points.length,
      message: answer.capability?.message,
    },
  };
}

function driversOf(answer) {
  return {
    outcome: answer.outcome,
    batches: answer.batches,
    correction: answer.correction,
    model: answer.model,
    messages: answer.messages ?? [],
    ranking: answer.drivers.map((driver) => ({
      parameter: { name: driver.parameter, label: driver.label, unit: driver.unit },
      batches: driver.batches,
      r: driver.r,
      ci: typeof driver.ci_low === "number" ? [driver.ci_low, driver.ci_high] : null,
      p: driver.p,
      p_adjusted: driver.p_adjusted,
      significant: driver.significant,
      coefficient: driver.coefficient,
    })),
  };
}
