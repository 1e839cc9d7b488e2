// Users (administrators): every account with its state, and the §11.300 controls, each
// confirmed with a reason for the audit trail.

import { api } from "../api.js";
import { append, h, replace } from "../dom.js";
import * as format from "../format.js";
import { askConfirmation } from "../components/confirm_dialog.js";
import { formMessage } from "../components/forms.js";
import { icon } from "../components/icons.js";

const ROLES = ["operator", "supervisor", "qa", "author", "admin"];

export async function show(ctx) {
  ctx.setTitle("Users");
  ctx.setSection("users");
  const notice = formMessage();
  const body = h("div", { class: "table-wrap" });
  append(
    ctx.main,
    h("div", { class: "page-head" },
      h("div", {},
        h("h1", { tabindex: "-1" }, "Users"),
        h("p", { class: "page-lead" }, "Accounts, their roles and state. Every change asks why and is recorded in the audit trail."))),
    notice.element,
    body,
  );

  async function load() {
    const users = await api.get("/users");
    if (!ctx.isCurrent()) return;
    ctx.preservingFocus(() => replace(body, table(users)));
  }

  /** Confirm and send one change; `done(answer)` says what happened. */
  async function change(user, { title, statement, confirmLabel, path, method = "POST", extra, body: bodyOf, done }) {
    let answer = null;
    const confirmed = await askConfirmation({
      title: `${title}: ${user.username}`,
      statement,
      confirmLabel,
      extra: extra?.element ?? null,
      onConfirm: async (reason) => {
        try {
          answer = await api.request(method, `/users/${encodeURIComponent(user.id)}${path}`, { reason, ...(bodyOf?.() ?? {}) });
          return null;
        } catch (error) {
          return error.detail;
        }
      },
    });
    if (!confirmed) return;
    notice.show(done(answer), "info");
    ctx.announce(done(answer));
    await load();
  }

  function actions(user) {
    const self = user.id === ctx.user.id;
    const button = (label, options, disabled = false) =>
      h("button", { type: "button", class: "button button--quiet", disabled, "data-action": options.path.slice(1), onClick: () => change(user, { ...options, title: label }) }, label);
    const roles = rolePicker(user);
    return [
      user.active
        ? button("Deactivate", {
            statement: "They can no longer sign in or sign, and every session of theirs ends now.",
            confirmLabel: "Deactivate",
            path: "/deactivate",
            done: () => `${user.username} is deactivated.`,
          }, self)
        : button("Reactivate", {
            statement: "They can sign in again with their password.",
            confirmLabel: "Reactivate",
            path: "/activate",
            done: () => `${user.username} is active again.`,
          }),
      user.locked_until && button("Unlock", {
        statement: "Lift the lock-out after failed sign-ins now.",
        confirmLabel: "Unlock",
        path: "/unlock",
        done: () => `${user.username} is unlocked.`,
      }),
      button("Reset password", {
        statement: "A temporary password replaces theirs and their sessions end. They must choose a new password when they next sign in.",
        confirmLabel: "Reset password",
        path: "/reset-password",
        done: (answer) => `Temporary password for ${user.username}: ${answer.temporary_password} (shown once: hand it over in person).`,
      }),
      button("Roles", {
        statement: "Replace their roles with the ones ticked.",
        confirmLabel: "Change roles",
        path: "/roles",
        method: "PUT",
        extra: roles,
        body: () => ({ roles: roles.value() }),
        done: (answer) => `${user.username} now has the roles ${format.roles(answer.roles)}.`,
      }),
      button("End sessions", {
        statement: "Every session of theirs ends now (signed-in devices and open pages).",
        confirmLabel: "End sessions",
        path: "/revoke-sessions",
        done: (answer) => `${answer.sessions_revoked} sessions of ${user.username} ended.`,
      }),
    ];
  }

  function table(users) {
    return h(
      "table",
      { class: "list-table users-table", id: "users-table" },
      h("caption", { class: "visually-hidden" }, "Users"),
      h("thead", {}, h("tr", {}, ["Username", "Name", "Roles", "State", "Actions"].map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, users.map((user) =>
        h("tr", { "data-username": user.username },
          h("th", { scope: "row", "data-label": "Username" }, user.username),
          h("td", { "data-label": "Name" }, user.full_name),
          h("td", { "data-label": "Roles" }, format.roles(user.roles)),
          h("td", { "data-label": "State", class: "user-state" }, state(user)),
          h("td", { "data-label": "Actions" }, h("div", { class: "form-actions" }, actions(user)))))),
    );
  }

  await load();
}

function state(user) {
  const parts = [user.active ? "Active" : "Deactivated"];
  if (user.locked_until) parts.push(`locked until ${format.dateTime(user.locked_until)}`);
  if (user.must_change_password) parts.push("must change password");
  return parts.join(", ");
}

/** Checkboxes of the five roles, ticked as the user has them. */
function rolePicker(user) {
  const boxes = ROLES.map((role) => h("input", { type: "checkbox", name: "roles", value: role, id: `role-${role}`, checked: user.roles.includes(role) }));
  const element = h("fieldset", { class: "field" },
    h("legend", { class: "field__label" }, "Roles"),
    boxes.map((box) => h("label", { class: "checkbox", for: box.id }, box, ` ${format.roles([box.value])}`)));
  return { element, value: () => boxes.filter((box) => box.checked).map((box) => box.value) };
}
