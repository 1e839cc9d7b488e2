// The "Start batch" button and the place where a refusal is said, for the record and the
// operator page.

import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { icon } from "./icons.js";

/** [button, message]: starts the batch (with `start()` when given: the operator page's
 * outbox), then `reload()`s; a refusal shows in `message`. */
export function startBatchControls(batch, reload, { buttonClass = "button button--primary", start = null } = {}) {
  const message = h("p", { class: "field__error", role: "alert", hidden: true });
  const button = h(
    "button",
    {
      type: "button",
      id: "start-batch",
      class: buttonClass,
      onClick: async () => {
        button.disabled = true;
        try {
          await (start ? start() : api.post(`/batches/${encodeURIComponent(batch.id)}/start`));
          await reload();
        } catch (error) {
          button.disabled = false;
          replace(message, icon("alert"), h("span", {}, error.detail));
          message.hidden = false;
        }
      },
    },
    icon("play"),
    "Start batch",
  );
  return [button, message];
}
