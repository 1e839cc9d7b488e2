// The files of the step selected in the editor: each with its caption and a way to take it
// off, and a file picker to attach a picture, a short video or a PDF work instruction. The
// file goes to the media store at once (the draft is saved first); the step names it by its
// content address.

import { ApiError } from "../api.js";
import { h } from "../dom.js";
import { field, formMessage } from "./forms.js";
import { icon } from "./icons.js";
import { mediaUrl } from "./step_media.js";

const ACCEPTED = "image/png,image/jpeg,video/mp4,video/webm,application/pdf";
const KIND_LABELS = { image: "Picture", video: "Video", pdf: "PDF" };

/**
 * The media section of step `step`. `media`: {attach(stepId, file, caption),
 * detach(stepId, mediaId)}, each answering once the editor shows the saved draft.
 */
export function stepMediaEditor(step, media) {
  const message = formMessage();
  const picker = field({
    label: "File",
    hint: "PNG or JPEG picture, MP4 or WebM video, or PDF work instruction.",
    control: h("input", { type: "file", id: "step-media-file", accept: ACCEPTED }),
  });
  const caption = field({
    label: "Caption",
    control: h("input", { type: "text", id: "step-media-caption", maxlength: 300 }),
  });

  async function run(button, action) {
    button.disabled = true;
    message.clear();
    try {
      await action();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      message.show(error.detail);
    } finally {
      button.disabled = false;
    }
  }

  const attach = h("button", {
    type: "button", class: "button", id: "attach-step-media",
    onClick: () => run(attach, async () => {
      const file = picker.control.files?.[0];
      if (!file) {
        picker.setError("Choose a file to attach.");
        return;
      }
      picker.setError(null);
      await media.attach(step.id, file, caption.control.value.trim());
    }),
  }, icon("plus"), "Attach file");

  const items = step.media ?? [];
  return h("section", { class: "author-section", "aria-label": "Media for the operator", id: "step-media-editor" },
    h("h3", {}, "Media for the operator"),
    message.element,
    items.length
      ? h("ul", { class: "author-media" }, items.map((item) => {
        const what = `${KIND_LABELS[item.kind] ?? item.kind}${item.caption ? `: ${item.caption}` : ""}`;
        const remove = h("button", {
          type: "button", class: "button button--quiet button--small",
          onClick: () => run(remove, () => media.detach(step.id, item.id)),
        }, icon("ban"), "Remove", h("span", { class: "visually-hidden" }, `: ${what}`));
        return h("li", { "data-media": item.id },
          h("a", { href: mediaUrl(item), target: "_blank", rel: "noopener" }, what), " ", remove);
      }))
      : h("p", { class: "muted" }, "No files. Operators see attached pictures, videos and PDFs with the step."),
    h("div", { class: "author-row" }, picker.element, caption.element),
    attach);
}
