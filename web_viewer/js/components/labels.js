// Printable labels of lots, containers and equipment: a thumbnail that opens the PNG, and the
// PDF. The images load with the browser's session cookie, like every other API request.

import { h } from "../dom.js";
import { icon } from "./icons.js";

const COLLECTIONS = { lot: "lots", container: "containers", equipment: "equipment" };
const NEW_TAB = { target: "_blank", rel: "noopener" };

/** The label addresses of a `kind` ("lot", "container", "equipment") with this code. */
export function labelUrls(kind, code) {
  const png = `/api/v1/${COLLECTIONS[kind]}/${encodeURIComponent(code)}/label`;
  return { png, pdf: `${png}?format=pdf` };
}

/** A label thumbnail (opens the PNG) with a link to the PDF. */
export function labelThumbnail(kind, code) {
  const { png, pdf } = labelUrls(kind, code);
  return h(
    "div",
    { class: "label-thumb" },
    h(
      "a",
      { class: "label-thumb__image", href: png, ...NEW_TAB },
      h("img", {
        src: png,
        alt: `Label of ${kind} ${code} (opens the PNG in a new tab)`,
        width: 200,
        height: 120,
        decoding: "async",
      }),
    ),
    pdfLink(kind, code, pdf),
  );
}

/** Text links to a label: "Label" (PNG) and "PDF". */
export function labelLinks(kind, code) {
  const { png, pdf } = labelUrls(kind, code);
  return h(
    "span",
    { class: "label-links" },
    h("a", { class: "label-link", href: png, ...NEW_TAB },
      icon("tag"), "Label", h("span", { class: "visually-hidden" }, ` of ${kind} ${code} (PNG, opens in a new tab)`)),
    pdfLink(kind, code, pdf),
  );
}

function pdfLink(kind, code, pdf) {
  return h("a", { class: "label-link", href: pdf, ...NEW_TAB },
    icon("file"), "PDF", h("span", { class: "visually-hidden" }, ` label of ${kind} ${code} (opens in a new tab)`));
}
