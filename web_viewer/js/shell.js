// The frame around every page: brand, navigation, live status, who is signed in.

import { h, replace } from "./dom.js";
import * as format from "./format.js";
import { icon } from "./components/icons.js";
import { seesOrders } from "./roles.js";

const LIVE_STATES = {
  connecting: ["connecting", "reconnect", "Connecting…"],
  live: ["live", "live", "Live"],
  reconnecting: ["reconnecting", "reconnect", "Reconnecting…"],
  stopped: ["offline", "offline", "Offline"],
};

export class Shell {
  constructor(header, { onSignOut }) {
    this.header = header;
    this.onSignOut = onSignOut;
    this.links = new Map();
    this.live = h("div", { class: "live live--offline", role: "status", id: "live-status" });
    this.setLive("stopped");
  }

  signedOut() {
    replace(this.header, h("div", { class: "topbar__inner" }, brand()));
  }

  signedIn(user) {
    this.links = new Map([
      ["batches", h("a", { class: "nav__link", href: "#/batches" }, icon("batches"), "Batches")],
      ["procedures", h("a", { class: "nav__link", href: "#/procedures" }, icon("file"), "Procedures")],
      ["trace", h("a", { class: "nav__link", href: "#/trace" }, icon("trace"), "Traceability")],
      ["deviations", h("a", { class: "nav__link", href: "#/deviations" }, icon("alert"), "Deviations")],
      ["analytics", h("a", { class: "nav__link", href: "#/analytics" }, icon("chart"), "Analytics")],
    ]);
    if (user.can.author_procedures || user.can.approve_procedures) {
      this.links.set("authoring", h("a", { class: "nav__link", href: "#/authoring", id: "nav-authoring" }, icon("pencil"), "Authoring"));
    }
    if (seesOrders(user)) {
      this.links.set("orders", h("a", { class: "nav__link", href: "#/orders", id: "nav-orders" }, icon("box"), "Orders"));
    }
    if (user.can.start_batches) {
      this.links.set("operator", h("a", { class: "nav__link", href: "#/operator" }, icon("play"), "Run"));
    }
    if (user.can.annotate_streams) {
      this.links.set("console", h("a", { class: "nav__link", href: "#/console" }, icon("eye"), "Console"));
    }
    if (user.can.administer_users) {
      this.links.set("users", h("a", { class: "nav__link", href: "#/users" }, icon("user"), "Users"));
      this.links.set("webhooks", h("a", { class: "nav__link", href: "#/webhooks" }, icon("external"), "Webhooks"));
    }
    const signOut = h(
      "button",
      { type: "button", class: "button button--quiet", title: "Sign out", onClick: () => this.onSignOut(signOut) },
      icon("signout"),
      h("span", { class: "topbar__label" }, "Sign out"),
    );
    replace(
      this.header,
      h(
        "div",
        { class: "topbar__inner" },
        brand(),
        h("nav", { class: "nav", "aria-label": "Main" }, [...this.links.values()]),
        h(
          "div",
          { class: "topbar__end" },
          this.live,
          h(
            "div",
            { class: "who", id: "signed-in-user" },
            icon("user", "who__icon"),
            h(
              "span",
              { class: "who__text" },
              h("span", { class: "who__name" }, user.full_name),
              h("span", { class: "who__roles" }, format.roles(user.roles)),
            ),
          ),
          h("a", { class: "button button--quiet", href: "#/password", id: "change-password", title: "Change your password" }, icon("lock"), h("span", { class: "topbar__label" }, "Password")),
          signOut,
        ),
      ),
    );
  }

  /** Mark the navigation entry of the current section. */
  setSection(section) {
    for (const [name, link] of this.links) {
      if (name === section) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  setLive(state) {
    const [tone, iconName, text] = LIVE_STATES[state] ?? LIVE_STATES.stopped;
    this.live.className = `live live--${tone}`;
    this.live.dataset.state = state;
    replace(this.live, icon(iconName), h("span", { class: "live__text" }, text));
  }
}

function brand() {
  return h(
    "a",
    { class: "brand", href: "#/batches" },
    h("img", { class: "brand__mark", src: "/assets/icon.svg", alt: "", width: 28, height: 28 }),
    h("span", { class: "brand__name" }, "Stepwise"),
  );
}
