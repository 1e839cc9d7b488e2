// The changes between any two versions of a procedure; a version in review is approved or
// rejected from here, with the changes in front of the approver.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { versionDiff } from "../authoring_api.js";
import { formMessage } from "../components/forms.js";
import { icon } from "../components/icons.js";
import { statusChip } from "../components/status.js";
import { versionDiff as diffView } from "../components/version_diff.js";
import { approve } from "./authoring_versions.js";

export async function show(ctx) {
  ctx.setSection("authoring");
  const [key, against, number] = ctx.params;
  const [diff, procedures] = await Promise.all([versionDiff(key, number, against), api.getAll("/procedures")]);
  if (!ctx.isCurrent()) return;
  const procedure = procedures.find((item) => item.key === key);
  const version = procedure?.versions.find((item) => String(item.version) === String(number));
  ctx.setTitle(`Changes to ${procedure?.title ?? key}, version ${against} to ${number}`);
  const message = formMessage();
  const approvable = version?.status === "in_review" && ctx.user.can?.approve_procedures;
  append(ctx.main,
    h("a", { class: "back-link", href: `#/authoring/${encodeURIComponent(key)}` }, icon("back"), "Versions of this procedure"),
    h("div", { class: "page-head" }, h("div", {},
      h("p", { class: "eyebrow" }, h("code", {}, key)),
      h("h1", { tabindex: "-1" }, `${procedure?.title ?? key}: version ${against} → ${number}`)),
      version && statusChip("version", version.status)),
    message.element,
    approvable && h("div", { class: "form-actions" },
      h("button", {
        type: "button", class: "button button--primary", id: "approve-version",
        onClick: () => approve(ctx, key, Number(number), Number(against), message),
      }, icon("shield"), `Approve version ${number}`)),
    diffView(diff, { version: number, against }));
}
