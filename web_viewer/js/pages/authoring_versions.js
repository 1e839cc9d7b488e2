// The versions of one procedure with their status and who did what when; from here a draft is
// started, edited and submitted, a version in review approved or rejected, an approved one
// retired, and any two compared.

import { api, ApiError } from "../api.js";
import { append, h } from "../dom.js";
import * as format from "../format.js";
import { createDraft, transition, versionDiff, versionPath, yamlHref } from "../authoring_api.js";
import { askConfirmation } from "../components/confirm_dialog.js";
import { field, formMessage } from "../components/forms.js";
import { icon } from "../components/icons.js";
import { signAndSend } from "../components/signed_action.js";
import { statusChip } from "../components/status.js";
import { versionDiff as diffView } from "../components/version_diff.js";

export async function show(ctx) {
  ctx.setSection("authoring");
  const [key] = ctx.params;
  const procedures = await api.getAll("/procedures");
  if (!ctx.isCurrent()) return;
  const procedure = procedures.find((item) => item.key === key);
  if (!procedure) throw new ApiError(404, { detail: `There is no procedure ${key}.` });
  ctx.setTitle(`Versions of ${procedure.title}`);
  // The list names no people; each version says who wrote and who approved it.
  const versions = await Promise.all([...procedure.versions].sort((a, b) => b.version - a.version)
    .map((version) => api.get(versionPath(key, version.version))));
  if (!ctx.isCurrent()) return;
  const message = formMessage();
  const submitted = ctx.query.get("submitted");
  append(ctx.main,
    h("a", { class: "back-link", href: "#/authoring" }, icon("back"), "All procedures"),
    h("div", { class: "page-head" }, h("div", {},
      h("p", { class: "eyebrow" }, h("code", {}, key)),
      h("h1", { tabindex: "-1" }, procedure.title))),
    submitted && h("p", { class: "notice notice--ok", role: "status" }, icon("check"), `Version ${submitted} was submitted for review.`),
    message.element,
    h("div", { class: "table-wrap" }, versionTable(ctx, key, versions, message)),
    versions.length > 1 && compareForm(ctx, key, versions));
}

function who(name, at) {
  if (!at) return "—";
  return h("span", {}, name ? `${name}, ` : "", format.dateTime(at));
}

function versionTable(ctx, key, versions, message) {
  return h("table", { class: "list-table author-versions", id: "versions" },
    h("caption", { class: "visually-hidden" }, "Versions"),
    h("thead", {}, h("tr", {}, ["Version", "Status", "Authors", "Created", "Last change", "Approved", "Actions"].map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, versions.map((version) => h("tr", { "data-version": version.version, "data-status": version.status },
      h("th", { scope: "row", "data-label": "Version" }, `Version ${version.version}`, h("span", { class: "muted" }, ` (revision ${version.revision})`)),
      h("td", { "data-label": "Status" }, statusChip("version", version.status),
        // Why the last review sent it back, while it is a draft again.
        version.rejection && h("p", { class: "muted rejection" }, `Rejected by ${version.rejection.by.full_name}, ${format.dateTime(version.rejection.at)}: ${version.rejection.reason}`)),
      h("td", { "data-label": "Authors" }, (version.authors ?? []).join(", ") || "—"),
      h("td", { "data-label": "Created" }, who(null, version.created_at)),
      h("td", { "data-label": "Last change" }, who(null, version.edited_at)),
      h("td", { "data-label": "Approved" }, who(version.approval?.full_name, version.approval?.signed_at ?? version.approved_at)),
      h("td", { "data-label": "Actions" }, h("div", { class: "author-actions" }, actions(ctx, key, version, versions, message)))))));
}

function link(text, href, iconName, attrs = {}) {
  return h("a", { class: "button button--small", href, ...attrs }, icon(iconName), text);
}

function actions(ctx, key, version, versions, message) {
  const base = `#/authoring/${encodeURIComponent(key)}`;
  const n = version.version;
  const previous = versions.find((other) => other.version < n);
  const list = [];
  if (version.status === "draft" && ctx.user.can?.author_procedures) list.push(link("Edit", `${base}/${n}`, "pencil", { id: `edit-${n}` }));
  else list.push(link("View", `#/procedures/${encodeURIComponent(key)}/${n}`, "eye"));
  if (previous) list.push(link("Changes", `${base}/diff/${previous.version}/${n}`, "layers", { id: `diff-${n}` }));
  list.push(h("a", { class: "button button--small button--quiet", href: yamlHref(key, n), download: `${key}-v${n}.yaml` }, icon("download"), "YAML"));
  const act = (label, iconName, run, id) => h("button", { type: "button", class: "button button--small", id, onClick: (event) => run(event.currentTarget) }, icon(iconName), label);
  const after = (text) => {
    ctx.announce(text);
    ctx.navigate(`${base}?done=${Date.now()}`);
  };
  const guarded = (run) => async (button) => {
    message.clear();
    button.disabled = true;
    try {
      await run();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      message.show(error.detail);
    } finally {
      button.disabled = false;
    }
  };
  if (ctx.user.can?.author_procedures && !versions.some((other) => other.status === "draft")) {
    list.push(act("New draft from this", "plus", guarded(async () => {
      const draft = await createDraft(key, { fromVersion: n });
      ctx.navigate(`${base}/${draft.version}`);
    }), `new-draft-${n}`));
  }
  if (version.status === "draft" && ctx.user.can?.author_procedures) {
    list.push(act("Submit", "shield", guarded(async () => {
      await transition(key, n, "submit");
      after(`Version ${n} submitted for review.`);
    }), `submit-${n}`));
  }
  if (version.status === "in_review" && ctx.user.can?.approve_procedures) {
    if (approvable(version, ctx.user)) list.push(act("Review and approve", "shield", guarded(() => approve(ctx, key, n, previous?.version, message)), `approve-${n}`));
    list.push(act("Reject", "ban", guarded(() => reject(ctx, key, n, message)), `reject-${n}`));
  }
  if (version.status === "approved" && ctx.user.can?.approve_procedures) {
    list.push(act("Retire", "archive", guarded(() => retire(ctx, key, n, message)), `retire-${n}`));
  }
  return list;
}

/**
 * Whether `user` may approve `version` (a VersionOut): it is in review and they approve
 * procedures but did not write it (the server refuses an author's signature).
 */
export function approvable(version, user) {
  return version?.status === "in_review" && Boolean(user.can?.approve_procedures)
    && !(version.authors ?? []).includes(user.username);
}

/**
 * Approve version `n` with an e-signature, the dialog showing what changed since `against`
 * (the version before it), so the approver signs for exactly those changes.
 */
export async function approve(ctx, key, n, against, message) {
  const details = against ? diffView(await versionDiff(key, n, against), { version: n, against, headingLevel: "h3" })
    : h("p", {}, `Version ${n} is the first version of this procedure: all of it is approved.`);
  const { signed, error } = await signAndSend({
    title: `approve version ${n} of ${key}`,
    meaning: "approved",
    user: ctx.user,
    details,
    send: (signature) => transition(key, n, "approve", { signature }),
  });
  if (error) message.show(error.detail);
  else if (signed) {
    ctx.announce(`Version ${n} approved.`);
    ctx.navigate(`#/authoring/${encodeURIComponent(key)}?approved=${n}`);
  }
}

async function reject(ctx, key, n, message) {
  let failure = null;
  const done = await askConfirmation({
    title: `Reject version ${n}`,
    statement: "The version goes back to draft for its authors to change. Say what must change.",
    confirmLabel: "Reject",
    onConfirm: async (reason) => {
      try {
        await transition(key, n, "reject", { reason });
        return null;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        failure = error;
        return error.detail;
      }
    },
  });
  if (done) {
    ctx.announce(`Version ${n} rejected.`);
    ctx.navigate(`#/authoring/${encodeURIComponent(key)}?rejected=${n}`);
  } else if (failure) message.show(failure.detail);
}

async function retire(ctx, key, n, message) {
  const done = await askConfirmation({
    title: `Retire version ${n}`,
    statement: "No new batch can use it; batches already running keep it until they end.",
    confirmLabel: "Retire",
    askReason: false,
    onConfirm: async () => {
      try {
        await transition(key, n, "retire");
        return null;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        return error.detail;
      }
    },
  });
  if (done) {
    ctx.announce(`Version ${n} retired.`);
    ctx.navigate(`#/authoring/${encodeURIComponent(key)}?retired=${n}`);
  } else message.clear();
}

function compareForm(ctx, key, versions) {
  const options = () => versions.map((version) => h("option", { value: version.version }, `Version ${version.version} (${format.capitalise(version.status).toLowerCase()})`));
  const from = field({ label: "From version", control: h("select", { id: "compare-from" }, options()) });
  const to = field({ label: "To version", control: h("select", { id: "compare-to" }, options()) });
  from.control.value = String(versions[1].version);
  to.control.value = String(versions[0].version);
  return h("form", {
    class: "panel author-compare", "aria-labelledby": "compare-title",
    onSubmit: (event) => {
      event.preventDefault();
      ctx.navigate(`#/authoring/${encodeURIComponent(key)}/diff/${from.control.value}/${to.control.value}`);
    },
  },
  h("h2", { id: "compare-title" }, "Compare two versions"),
  h("div", { class: "author-row" }, from.element, to.element),
  h("button", { type: "submit", class: "button", id: "compare" }, icon("layers"), "Show the changes"));
}
