// The files an author attached to a step, as the operator sees them: pictures inline, videos
// with their controls, PDF work instructions as links that open in a new tab.

import { h } from "../dom.js";
import { icon } from "./icons.js";

/** Where a stored file is fetched (the session cookie authorises it). */
export function mediaUrl(item) {
  return `/api/v1/media/${encodeURIComponent(item.id)}`;
}

function shown(item) {
  const caption = item.caption || null;
  if (item.kind === "image") {
    return h("figure", { class: "step-media__figure" },
      h("img", { class: "step-media__image", src: mediaUrl(item), alt: caption ?? "Picture for this step", loading: "lazy", decoding: "async" }),
      caption && h("figcaption", {}, caption));
  }
  if (item.kind === "video") {
    return h("figure", { class: "step-media__figure" },
      h("video", { class: "step-media__video", src: mediaUrl(item), controls: true, preload: "metadata", playsinline: true, "aria-label": caption ?? "Video for this step" }),
      caption && h("figcaption", {}, caption));
  }
  return h("a", { class: "button op-button step-media__pdf", href: mediaUrl(item), target: "_blank", rel: "noopener" },
    icon("file"), caption ?? "Work instruction (PDF)", h("span", { class: "visually-hidden" }, " (PDF, opens in a new tab)"));
}

/** The step's files (`definition.media`), or null when it has none. */
export function stepMedia(media) {
  if (!media?.length) return null;
  return h("ul", { class: "step-media", "aria-label": "Pictures, videos and documents for this step" },
    media.map((item) => h("li", { class: "step-media__item", "data-media": item.id, "data-kind": item.kind }, shown(item))));
}
