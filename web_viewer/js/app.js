// The app: who is signed in, which page the location hash names, the live connection.

import { api } from "./api.js";
import { h, replace } from "./dom.js";
import { LiveConnection } from "./live.js";
import { Shell } from "./shell.js";
import { icon } from "./components/icons.js";
import { forgetKeptReads, registerServiceWorker } from "./offline/service_worker_client.js";
import * as analytics from "./pages/analytics.js";
import * as analyticsIndex from "./pages/analytics_index.js";
import * as authoring from "./pages/authoring.js";
import * as authoringDiff from "./pages/authoring_diff.js";
import * as authoringEditor from "./pages/authoring_editor.js";
import * as authoringVersions from "./pages/authoring_versions.js";
import * as batch from "./pages/batch.js";
import * as batches from "./pages/batches.js";
import * as consolePage from "./pages/console.js";
import * as consoleSession from "./pages/console_session.js";
import * as deviation from "./pages/deviation.js";
import * as deviations from "./pages/deviations.js";
import * as newBatch from "./pages/new_batch.js";
import * as orders from "./pages/orders.js";
import * as operator from "./pages/operator.js";
import * as operatorRun from "./pages/operator_run.js";
import * as password from "./pages/password.js";
import * as procedureVersion from "./pages/procedure_version.js";
import * as procedures from "./pages/procedures.js";
import * as review from "./pages/review.js";
import * as signin from "./pages/signin.js";
import * as trace from "./pages/trace.js";
import * as users from "./pages/users.js";
import * as webhooks from "./pages/webhooks.js";

const ROUTES = [
  [/^\/batches$/, batches],
  [/^\/batches\/new$/, newBatch],
  [/^\/batches\/([^/]+)$/, batch],
  [/^\/batches\/([^/]+)\/review$/, review],
  [/^\/deviations$/, deviations],
  [/^\/deviations\/([^/]+)$/, deviation],
  [/^\/procedures$/, procedures],
  [/^\/procedures\/([^/]+)\/(\d+)$/, procedureVersion],
  [/^\/analytics$/, analyticsIndex],
  [/^\/analytics\/([^/]+)$/, analytics],
  [/^\/authoring$/, authoring],
  [/^\/authoring\/([^/]+)$/, authoringVersions],
  [/^\/authoring\/([^/]+)\/(\d+)$/, authoringEditor],
  [/^\/authoring\/([^/]+)\/diff\/(\d+)\/(\d+)$/, authoringDiff],
  [/^\/trace$/, trace],
  [/^\/trace\/(lot|batch)\/([^/]+)$/, trace],
  [/^\/operator$/, operator],
  [/^\/operator\/([^/]+)$/, operatorRun],
  [/^\/console$/, consolePage],
  [/^\/console\/([^/]+)$/, consoleSession],
  [/^\/console\/([^/]+)\/([^/]+)$/, consoleSession],
  [/^\/orders$/, orders],
  [/^\/users$/, users],
  [/^\/webhooks$/, webhooks],
  [/^\/webhooks\/([^/]+)$/, webhooks],
  [/^\/password$/, password],
];

class App {
  constructor() {
    this.main = document.getElementById("main");
    this.announcer = document.getElementById("announcer");
    this.shell = new Shell(document.getElementById("topbar"), { onSignOut: (button) => this.signOut(button) });
    this.live = new LiveConnection({
      onStatus: (state) => this.liveChanged(state),
      onAuthLost: () => this.checkSession(),
    });
    this.user = null;
    this.generation = 0;
    this.cleanup = null;
    this.retryWhenLive = false;
  }

  /** A page that failed because the server was unreachable opens again once it is back. */
  liveChanged(state) {
    this.shell.setLive(state);
    if (state === "live" && this.retryWhenLive) {
      this.retryWhenLive = false;
      this.route();
    }
  }

  async boot() {
    registerServiceWorker();
    api.onSignedOut = () => this.sessionEnded();
    document.getElementById("skip-link").addEventListener("click", (event) => {
      event.preventDefault();
      (this.main.querySelector("h1") ?? this.main).focus();
    });
    window.addEventListener("hashchange", () => this.route({ focus: true }));
    try {
      this.user = await api.me();
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.user) this.startSession();
    this.route();
  }

  startSession() {
    this.shell.signedIn(this.user);
    this.live.start();
  }

  /** Leave the current page: stop its live subscriptions and drop late answers. */
  leave() {
    this.generation += 1;
    this.retryWhenLive = false;
    const cleanup = this.cleanup;
    this.cleanup = null;
    if (typeof cleanup === "function") cleanup();
    replace(this.main);
    return this.generation;
  }

  route({ focus = false } = {}) {
    const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
    if (!this.user) {
      this.showSignIn();
      return;
    }
    if (path === "" || path === "/" || path === "/signin") {
      history.replaceState(null, "", "#/batches");
      this.route({ focus });
      return;
    }
    for (const [pattern, page] of ROUTES) {
      const match = pattern.exec(path);
      if (match) {
        this.open(page, match.slice(1).map(decodeURIComponent), new URLSearchParams(query), focus);
        return;
      }
    }
    this.leave();
    this.showMessage("Page not found", "There is no page at this address.");
  }

  context(generation) {
    return {
      main: this.main,
      user: this.user,
      live: this.live,
      isCurrent: () => generation === this.generation,
      setTitle: (title) => {
        document.title = `${title} · Stepwise`;
      },
      setSection: (section) => this.shell.setSection(section),
      navigate: (hash) => {
        location.hash = hash;
      },
      announce: (text) => {
        this.announcer.textContent = text;
      },
      preservingFocus: (render) => preservingFocus(this.main, render),
      reportError: (error) => {
        if (generation === this.generation && error?.status !== 401) this.fail(error);
      },
    };
  }

  async open(page, params, query, focus) {
    const generation = this.leave();
    const ctx = { ...this.context(generation), params, query };
    const focused = document.activeElement;
    this.main.setAttribute("aria-busy", "true");
    try {
      const cleanup = await page.show(ctx);
      if (generation !== this.generation) {
        if (typeof cleanup === "function") cleanup();
        return;
      }
      this.cleanup = cleanup;
      // To the new page's heading, unless the user is already at work in the page (a slow
      // page can be typed in before it has finished loading).
      const atWork = document.activeElement !== focused && this.main.contains(document.activeElement);
      if (focus && !atWork) {
        (this.main.querySelector("h1") ?? this.main).focus();
      }
    } catch (error) {
      if (generation === this.generation && error?.status !== 401) this.fail(error);
    } finally {
      if (generation === this.generation) this.main.removeAttribute("aria-busy");
    }
  }

  showSignIn(notice) {
    const generation = this.leave();
    this.shell.signedOut();
    signin.show(this.context(generation), {
      notice,
      onSignedIn: (user) => {
        this.user = user;
        this.startSession();
        this.route({ focus: true });
      },
    });
  }

  async signOut(button) {
    button.disabled = true;
    // Stop following events first: a re-read racing the sign-out would be refused.
    this.live.stop();
    try {
      await api.signOut();
    } catch (error) {
      if (error.status !== 401) {
        button.disabled = false;
        this.live.start();
        this.main.prepend(h("div", { class: "form-message form-message--danger", role: "alert" },
          icon("alert"), h("span", {}, `Sign-out failed: ${error.detail}`)));
        return;
      }
    }
    forgetKeptReads();
    this.endSession();
    history.replaceState(null, "", "#/");
    this.showSignIn("You have signed out.");
  }

  endSession() {
    this.user = null;
    this.live.stop();
    this.shell.setSection(null);
  }

  sessionEnded() {
    if (!this.user) return;
    this.endSession();
    this.showSignIn("Your session has ended. Sign in again to continue.");
  }

  async checkSession() {
    try {
      if (this.user && !(await api.me())) this.sessionEnded();
    } catch {
      // The server is unreachable: the live indicator already says so; keep retrying.
    }
  }

  announce(text) {
    this.announcer.textContent = text;
  }

  fail(error) {
    this.retryWhenLive = error?.status === 0;
    if (error?.status === 404) {
      this.showMessage("Not found", error.detail);
      return;
    }
    this.showMessage("Something went wrong", error?.detail ?? String(error), true);
  }

  showMessage(title, detail, retry = false) {
    replace(
      this.main,
      h(
        "section",
        { class: "message-page" },
        icon(retry ? "alert" : "info", "message-page__icon"),
        h("h1", { tabindex: "-1" }, title),
        h("p", {}, detail),
        h(
          "p",
          { class: "form-actions" },
          retry && h("button", { type: "button", class: "button button--primary", onClick: () => this.route({ focus: true }) }, "Try again"),
          h("a", { class: "button button--quiet", href: "#/batches" }, "Go to batches"),
        ),
      ),
    );
    document.title = `${title} · Stepwise`;
  }
}

/** Re-render without losing the keyboard focus (by element id) or the scroll position. */
function preservingFocus(root, render) {
  const active = document.activeElement;
  const focusedId = active && root.contains(active) ? active.id : null;
  const scroll = window.scrollY;
  render();
  if (focusedId) document.getElementById(focusedId)?.focus({ preventScroll: true });
  window.scrollTo({ top: scroll });
}

new App().boot();
