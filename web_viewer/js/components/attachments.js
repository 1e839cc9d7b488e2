// Photos, snapshots and recordings attached to a batch, shown at their step: a thumbnail
// for each, opened large (a picture) or played (a recording) in a dialog.

import { h } from "../dom.js";
import * as format from "../format.js";
import { icon } from "./icons.js";
import { utcTimeOf } from "./record_parts.js";

const KIND_LABELS = { photo: "Photo", snapshot: "Snapshot", recording: "Recording" };

/** Attachments by step id (those of no step under null), oldest first as the API lists them. */
export function attachmentsByStep(attachments) {
  const byStep = new Map();
  for (const attachment of attachments ?? []) {
    const key = attachment.step_id ?? null;
    if (!byStep.has(key)) byStep.set(key, []);
    byStep.get(key).push(attachment);
  }
  return byStep;
}

/** The thumbnails of `attachments` (none: null); `where` names the step for the dialog. */
export function attachmentGallery(attachments, where) {
  if (!attachments?.length) return null;
  return h(
    "div",
    { class: "attachments" },
    h("p", { class: "attachments__title" }, icon("file"), `Attached (${attachments.length})`),
    h("ul", { class: "attachments__list", "aria-label": `Attachments of ${where}` },
      attachments.map((attachment) => h("li", { class: "attachments__item" }, thumbnail(attachment, where)))),
  );
}

function kindOf(attachment) {
  return KIND_LABELS[attachment.kind] ?? format.capitalise(attachment.kind);
}

function thumbnail(attachment, where) {
  const kind = kindOf(attachment);
  const picture = attachment.kind === "recording"
    ? h("span", { class: "attachment__poster" }, icon("play"))
    : h("img", { class: "attachment__image", src: attachment.media.url, alt: "", loading: "lazy", decoding: "async" });
  return h(
    "button",
    {
      type: "button",
      class: "attachment",
      "data-attachment": attachment.id,
      "data-kind": attachment.kind,
      title: attachment.caption || kind,
      "aria-label": `Open ${kind.toLowerCase()}${attachment.caption ? `: ${attachment.caption}` : ""}, attached by ${attachment.created_by}`,
      onClick: (event) => openAttachment(attachment, where, event.currentTarget),
    },
    picture,
    h("span", { class: "attachment__caption" }, h("span", { class: "attachment__kind" }, kind), attachment.caption && ` · ${attachment.caption}`),
  );
}

/** The attachment large (picture) or playing (recording), with who attached it and when. */
function openAttachment(attachment, where, opener) {
  const kind = kindOf(attachment);
  const title = `${kind}, ${where}`;
  const media = attachment.kind === "recording"
    ? h("video", { class: "lightbox__media", src: attachment.media.url, controls: true, preload: "metadata", "aria-label": title })
    : h("img", { class: "lightbox__media", src: attachment.media.url, alt: attachment.caption || title });
  const close = h("button", { type: "button", class: "button", onClick: () => dialog.close() }, "Close");
  const dialog = h(
    "dialog",
    { class: "lightbox", "aria-labelledby": "lightbox-title", id: "attachment-dialog" },
    h("h2", { id: "lightbox-title", class: "lightbox__title" }, title),
    media,
    h("dl", { class: "lightbox__facts" },
      attachment.caption && fact("Caption", attachment.caption),
      fact("Attached by", attachment.created_by),
      fact("At", utcTimeOf(attachment.created_at)),
      fact("SHA-256", h("code", { class: "hash" }, attachment.media.id))),
    h("div", { class: "lightbox__actions" },
      h("a", { class: "button", href: attachment.media.url, target: "_blank", rel: "noopener" }, icon("external"), "Open original"),
      close),
  );
  dialog.addEventListener("close", () => {
    dialog.remove();
    // The record may have been drawn again meanwhile: its thumbnail then is a new element.
    const thumbnail = opener?.isConnected ? opener : document.querySelector(`[data-attachment="${attachment.id}"]`);
    thumbnail?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}

function fact(term, detail) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, detail));
}
