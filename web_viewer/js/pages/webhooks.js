// Webhooks (administrators): where batch events are sent, and what became of each delivery.

import { api } from "../api.js";
import { append, h, replace } from "../dom.js";
import * as format from "../format.js";
import { askConfirmation } from "../components/confirm_dialog.js";
import { field, formMessage, showProblem } from "../components/forms.js";
import { icon } from "../components/icons.js";
import { statusChip } from "../components/status.js";

const EVENT_TYPES = ["step", "deviation", "batch", "hold", "scan", "scan_rejected", "attachment", "annotation", "chat", "stream", "recording"];

export async function show(ctx) {
  ctx.setSection("webhooks");
  const id = ctx.params[0];
  return id ? showDeliveries(ctx, id) : showSubscriptions(ctx);
}

async function showSubscriptions(ctx) {
  ctx.setTitle("Webhooks");
  const notice = formMessage();
  const body = h("div", { class: "table-wrap" });
  append(
    ctx.main,
    h("div", { class: "page-head" },
      h("div", {},
        h("h1", { tabindex: "-1" }, "Webhooks"),
        h("p", { class: "page-lead" }, "Batch events sent to other systems, signed, in order per batch, retried for a day."))),
    notice.element,
    subscribeForm(ctx, notice, () => load()),
    body,
  );

  async function load() {
    const hooks = await api.get("/webhooks");
    if (!ctx.isCurrent()) return;
    ctx.preservingFocus(() => replace(body, hooks.length ? table(hooks) : h("p", { class: "empty" }, "No webhooks yet.")));
  }

  function table(hooks) {
    return h("table", { class: "list-table", id: "webhooks-table" },
      h("caption", { class: "visually-hidden" }, "Webhooks"),
      h("thead", {}, h("tr", {}, ["URL", "Events", "State", "Since", "Actions"].map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, hooks.map((hook) =>
        h("tr", { "data-webhook": hook.id },
          h("th", { scope: "row", "data-label": "URL" }, h("a", { href: `#/webhooks/${encodeURIComponent(hook.id)}` }, hook.url)),
          h("td", { "data-label": "Events" }, hook.event_types.join(", ")),
          h("td", { "data-label": "State" }, statusChip("webhook", hook.active ? "active" : "inactive")),
          h("td", { "data-label": "Since" }, format.dateTime(hook.created_at)),
          h("td", { "data-label": "Actions" }, hook.active && unsubscribeButton(ctx, hook, notice, load))))));
  }

  await load();
}

function subscribeForm(ctx, notice, loaded) {
  const url = field({ label: "URL", control: h("input", { type: "url", required: true, placeholder: "https://qms.example/hooks/stepwise" }), hint: "Its host must be on a network webhooks may be sent to." });
  const boxes = EVENT_TYPES.map((type) => h("input", { type: "checkbox", value: type, checked: ["step", "deviation", "batch"].includes(type) }));
  const types = h("fieldset", { class: "field checkbox-group" },
    h("legend", { class: "field__label" }, "Events"),
    boxes.map((box) => h("label", { class: "checkbox" }, box, " ", box.value)));
  const secret = h("div", { class: "secret", hidden: true });
  const form = h("form", { class: "card form", "aria-label": "New webhook" },
    h("h2", {}, "New webhook"), url.element, types,
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button button--primary" }, icon("plus"), "Subscribe")),
    secret);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    notice.clear();
    const event_types = boxes.filter((box) => box.checked).map((box) => box.value);
    try {
      const hook = await api.post("/webhooks", { url: url.control.value, event_types });
      url.setError(null);
      replace(secret, h("p", {}, "Signing secret (shown this once: give it to the receiver):"), h("code", { class: "secret__value" }, hook.secret));
      secret.hidden = false;
      ctx.announce(`Subscribed ${hook.url}.`);
      await loaded();
    } catch (error) {
      const rest = showProblem(error, { url: url });
      if (rest.length) notice.show(rest.join(" "));
    }
  });
  return form;
}

function unsubscribeButton(ctx, hook, notice, loaded) {
  return h("button", {
    type: "button",
    class: "button button--quiet",
    onClick: async () => {
      const confirmed = await askConfirmation({
        title: `Unsubscribe ${hook.url}`,
        statement: "No more events are sent to it. It and its delivery log are kept.",
        confirmLabel: "Unsubscribe",
        onConfirm: async (reason) => {
          try {
            await api.post(`/webhooks/${encodeURIComponent(hook.id)}/unsubscribe`, { reason });
            return null;
          } catch (error) {
            return error.detail;
          }
        },
      });
      if (!confirmed) return;
      notice.show(`${hook.url} no longer receives events.`, "info");
      await loaded();
    },
  }, "Unsubscribe");
}

async function showDeliveries(ctx, id) {
  const hook = await api.get(`/webhooks/${encodeURIComponent(id)}`);
  ctx.setTitle(`Deliveries to ${hook.url}`);
  const notice = formMessage();
  const body = h("div", { class: "table-wrap" });
  append(
    ctx.main,
    h("p", {}, h("a", { href: "#/webhooks" }, "← Webhooks")),
    h("div", { class: "page-head" },
      h("div", {},
        h("h1", { tabindex: "-1" }, "Deliveries"),
        h("p", { class: "page-lead" }, hook.url, " · ", hook.event_types.join(", ")))),
    notice.element,
    body,
  );

  async function load() {
    const deliveries = await api.get(`/webhooks/${encodeURIComponent(id)}/deliveries?limit=200`);
    if (!ctx.isCurrent()) return;
    ctx.preservingFocus(() => replace(body, deliveries.length ? table(deliveries) : h("p", { class: "empty" }, "Nothing sent yet.")));
  }

  async function resend(delivery) {
    await api.post(`/webhooks/${encodeURIComponent(id)}/deliveries/${delivery.id}/resend`);
    notice.show(`Event ${delivery.message_id} will be sent again.`, "info");
    await load();
  }

  function table(deliveries) {
    return h("table", { class: "list-table", id: "deliveries-table" },
      h("caption", { class: "visually-hidden" }, "Deliveries"),
      h("thead", {}, h("tr", {}, ["Event", "Batch", "Status", "Attempts", "Last answer", "Last attempt", "Actions"].map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, deliveries.map((delivery) =>
        h("tr", { "data-delivery": delivery.id },
          h("th", { scope: "row", "data-label": "Event" }, `${delivery.event_type} #${delivery.seq}`),
          h("td", { "data-label": "Batch" }, h("a", { href: `#/batches/${encodeURIComponent(delivery.batch_id)}` }, "batch")),
          h("td", { "data-label": "Status" }, statusChip("delivery", delivery.status)),
          h("td", { "data-label": "Attempts" }, String(delivery.attempts)),
          h("td", { "data-label": "Last answer" }, delivery.response_status ? String(delivery.response_status) : delivery.last_error ?? "—"),
          h("td", { "data-label": "Last attempt" }, format.dateTime(delivery.last_attempt_at)),
          h("td", { "data-label": "Actions" },
            delivery.resend
              ? "Re-send queued"
              : h("button", { type: "button", class: "button button--quiet", onClick: () => resend(delivery) }, "Send again"))))));
  }

  await load();
  const timer = setInterval(() => load().catch(ctx.reportError), 5000);
  return () => clearInterval(timer);
}
