// A refusal with every reason the server gave (a release refused lists them all).

import { h, replace } from "../dom.js";
import { icon } from "./icons.js";

/** A message box (role=alert) that shows an ApiError's detail and each listed reason. */
export function refusalMessage(id) {
  const element = h("div", { class: "form-message form-message--danger refusal", role: "alert", id, hidden: true });
  return {
    element,
    show(error) {
      const reasons = (error.errors ?? []).map((entry) => entry.message).filter(Boolean);
      replace(
        element,
        icon("alert"),
        h("div", { class: "refusal__body" },
          h("p", {}, error.detail),
          reasons.length > 0 && h("ul", { class: "refusal__reasons" }, reasons.map((reason) => h("li", {}, reason)))),
      );
      element.hidden = false;
    },
    clear() {
      element.hidden = true;
      element.replaceChildren();
    },
  };
}
