// Change password: for everyone, and the forced change after an administrator's reset (the
// sign-in answers that the password must be changed first).

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { field, formMessage, showProblem } from "../components/forms.js";

/**
 * The form. `username`: whose password (the signed-in user, or who tried to sign in);
 * `forced`: a reset password must be replaced before anything else. `onChanged(user)` is
 * called once signed in again with the new password (every session ended with the change).
 */
export function showForm(ctx, { username, forced = false, onChanged }) {
  ctx.setTitle("Change password");
  const current = field({
    label: forced ? "Temporary password" : "Current password",
    control: h("input", { name: "current-password", type: "password", autocomplete: "current-password", required: true }),
  });
  const fresh = field({
    label: "New password",
    hint: "At least 12 characters (your site may ask for more). A passphrase is easiest.",
    control: h("input", { name: "new-password", type: "password", autocomplete: "new-password", required: true }),
  });
  const again = field({
    label: "New password again",
    control: h("input", { name: "new-password-again", type: "password", autocomplete: "new-password", required: true }),
  });
  const message = formMessage();
  const submit = h("button", { type: "submit", class: "button button--primary button--block", id: "password-submit" }, "Change password");
  if (forced) message.show("An administrator reset your password. Choose a new one to continue.", "info");

  async function change(event) {
    event.preventDefault();
    message.clear();
    for (const f of [current, fresh, again]) f.setError(null);
    if (!current.control.value) return fail(current, "Enter your current password.");
    if (!fresh.control.value) return fail(fresh, "Enter a new password.");
    if (fresh.control.value !== again.control.value) return fail(again, "The two new passwords differ.");
    submit.disabled = true;
    try {
      await api.post("/auth/password", { username, current_password: current.control.value, new_password: fresh.control.value });
      onChanged(await api.signIn(username, fresh.control.value));
    } catch (error) {
      submit.disabled = false;
      const { unplaced } = showProblem(error, { current_password: current, new_password: fresh });
      if (!error.errors.length || unplaced.length) message.show(error.detail);
    }
  }

  function fail(target, text) {
    target.setError(text);
    target.control.focus();
  }

  append(
    ctx.main,
    h("section", { class: "signin" },
      h("div", { class: "signin__card" },
        h("h1", { id: "password-title", tabindex: "-1" }, "Change password"),
        h("p", { class: "signin__lead" }, `For ${username}. Every session of yours ends; you stay signed in here.`),
        h("form", { class: "signin__form", novalidate: true, "aria-labelledby": "password-title", onSubmit: change },
          message.element,
          h("input", { type: "text", name: "username", autocomplete: "username", value: username, hidden: true }),
          current.element, fresh.element, again.element, submit))),
  );
  current.control.focus();
}

/** The page at #/password for the signed-in user. */
export async function show(ctx) {
  ctx.setSection(null);
  showForm(ctx, {
    username: ctx.user.username,
    onChanged: () => {
      ctx.announce("Your password was changed.");
      ctx.navigate("#/batches");
    },
  });
}
