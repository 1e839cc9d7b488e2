// The console's annotations panel: those drawn on this stream, which experts can clear.

import { api } from "../api.js";
import { upsertById } from "../collections.js";
import { h, replace } from "../dom.js";
import { annotationList, shapeName } from "../components/annotations.js";

/**
 * The panel of `streamId` in the batch at `path`: {element, set(all), onEvent(event),
 * draw(annotation)}. `titles()`: step id → title; `expert`: may clear; `onShown(shown)`
 * gets the annotations of the stream whenever they change.
 */
export function annotationsPanel(ctx, { path, streamId, titles, expert, onShown }) {
  let all = [];
  const message = h("p", { class: "field__error", role: "alert", hidden: true });
  const body = h("div", { class: "console-annotations" });
  const element = h(
    "section",
    { class: "panel", "aria-labelledby": "console-annotations-title" },
    h("h2", { id: "console-annotations-title", tabindex: "-1" }, "Annotations"),
    message,
    body,
  );

  function render() {
    const shown = all.filter((annotation) => annotation.stream_id === streamId);
    onShown(shown);
    ctx.preservingFocus(() => replace(body, annotationList(shown, {
      titles: titles(),
      onClear: expert ? (annotation, button) => clear(annotation, button) : undefined,
    })));
  }

  async function clear(annotation, button) {
    button.disabled = true;
    message.hidden = true;
    try {
      upsertById(all, await api.post(`${path}/annotations/${encodeURIComponent(annotation.id)}/clear`, {}));
      render();
      document.getElementById("console-annotations-title")?.focus();
      ctx.announce(`${shapeName(annotation)} cleared.`);
    } catch (error) {
      button.disabled = false;
      message.textContent = `Not cleared: ${error.detail}`;
      message.hidden = false;
    }
  }

  return {
    element,
    set(annotations) {
      all = annotations;
      render();
    },
    /** An `annotation` event of the batch: created, moved, cleared, acknowledged… */
    onEvent(event) {
      if (event.action === "moved") {
        const known = all.find((annotation) => annotation.id === event.annotation.id);
        if (known) known.points = event.annotation.points;
      } else {
        upsertById(all, event.annotation);
      }
      render();
    },
    /** Store an annotation drawn on the stream; answers it as stored. */
    async draw(annotation) {
      const stored = await api.post(`${path}/annotations`, { ...annotation, stream_id: streamId });
      upsertById(all, stored);
      render();
      return stored;
    },
  };
}
