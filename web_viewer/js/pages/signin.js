// Sign-in: a browser session (HttpOnly cookie) for the person at the screen.

import { api } from "../api.js";
import { append, h, replace } from "../dom.js";
import { field, formMessage, showProblem } from "../components/forms.js";
import { icon } from "../components/icons.js";
import { showForm as showPasswordChange } from "./password.js";

/** The sign-in form; `onSignedIn(user)` continues to the page that was asked for. */
export function show(ctx, { notice, onSignedIn }) {
  ctx.setTitle("Sign in");
  const username = field({
    label: "Username",
    control: h("input", { name: "username", autocomplete: "username", autocapitalize: "none", spellcheck: "false", required: true }),
  });
  const password = field({
    label: "Password",
    control: h("input", { name: "password", type: "password", autocomplete: "current-password", required: true }),
  });
  const message = formMessage();
  const submit = h("button", { type: "submit", class: "button button--primary button--block" }, "Sign in");
  const form = h(
    "form",
    { class: "signin__form", novalidate: true, "aria-labelledby": "signin-title", onSubmit: signIn },
    message.element,
    username.element,
    password.element,
    submit,
  );
  if (notice) message.show(notice, "info");

  async function signIn(event) {
    event.preventDefault();
    message.clear();
    username.setError(null);
    password.setError(null);
    const name = username.control.value.trim();
    const secret = password.control.value;
    if (!name || !secret) {
      if (!name) username.setError("Enter your username.");
      if (!secret) password.setError("Enter your password.");
      (name ? password : username).control.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Signing in…";
    try {
      onSignedIn(await api.signIn(name, secret));
    } catch (error) {
      submit.disabled = false;
      submit.textContent = "Sign in";
      password.control.value = "";
      if (error.errors.some((entry) => entry.code === "password_change_required")) {
        replace(ctx.main);
        showPasswordChange(ctx, { username: name, forced: true, onChanged: onSignedIn });
        return;
      }
      const { unplaced } = showProblem(error, { username, password });
      if (error.errors.length === 0 || unplaced.length) message.show(error.detail);
      if (!error.errors.length) password.control.focus();
    }
  }

  append(ctx.main, 
    h(
      "section",
      { class: "signin" },
      h(
        "div",
        { class: "signin__card" },
        h("div", { class: "signin__brand" },
          h("img", { src: "/assets/icon.svg", alt: "", width: 40, height: 40 }),
          h("span", {}, "Stepwise")),
        h("h1", { id: "signin-title", tabindex: "-1" }, "Sign in"),
        h("p", { class: "signin__lead" }, "Electronic batch records. Sign in with your Stepwise account."),
        form,
        h("p", { class: "signin__note" }, icon("lock"), "Your actions are recorded under your name in the audit trail."),
      ),
    ),
  );
  username.control.focus();
}
