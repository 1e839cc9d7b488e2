// The changes between any two versions of a procedure; a version in review is approved or
// rejected from here, with the changes in front of the approver.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { versionDiff, versionPath } from "../authoring_api.js";
import { formMessage } from "../components/forms.js";
import { icon } from "../components/icons.js";
import { statusChip } from "../components/status.js";
import { versionDiff as diffView } from "../components/version_diff.js";
import { approvable, approve } from "./authoring_versions.js";

export async function show(ctx) {
  ctx.setSection("authoring");
  const [key, against, number] = ctx.params;
  const [diff, version] = await Promise.all([versionDiff(key, number, against), api.get(versionPath(key, number))]);
  if (!ctx.isCurrent()) return;
  ctx.setTitle(`Changes to ${version.title}, version ${against} to ${number}`);
  const message = formMessage();
  append(ctx.main,
    h("a", { class: "back-link", href: `#/authoring/${encodeURIComponent(key)}` }, icon("back"), "Versions of this procedure"),
    h("div", { class: "page-head" }, h("div", {},
      h("p", { class: "eyebrow" }, h("code", {}, key)),
      h("h1", { tabindex: "-1" }, `${version.title}: version ${against} → ${number}`)),
      statusChip("version", version.status)),
    message.element,
    approvable(version, ctx.user) && h("div", { class: "form-actions" },
      h("button", {
        type: "button", class: "button button--primary", id: "approve-version",
        onClick: () => approve(ctx, key, Number(number), Number(against), message),
      }, icon("shield"), `Approve version ${number}`)),
    diffView(diff, { version: number, against }));
}
