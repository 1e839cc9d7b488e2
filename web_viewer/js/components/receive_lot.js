// Receiving a lot into quarantine, the form pre-filled from the supplier's label: a photo of it
// (or a frame from the camera) or a scanner's GS1 text goes to POST /scans, and the first GS1
// code fills the material (by its GTIN), the supplier lot (AI 10) and the expiry (AI 17).

import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { field, formMessage, showProblem } from "./forms.js";
import { icon } from "./icons.js";

/** What a scan says about the label, or why it fills nothing. */
function scanOutcome(scan, materials) {
  const code = scan.codes.find((item) => item.gs1);
  if (!code) return { text: scan.codes.length ? "No GS1 code on this label: fill the form by hand." : scan.message };
  const { gtin, lot, expiry } = code.gs1;
  const material = code.gtin_known ? materials.find((item) => item.gtin === gtin) ?? null : null;
  const read = [lot && `lot ${lot}`, expiry && `expiry ${expiry}`].filter(Boolean).join(", ");
  if (code.gtin_known === false) {
    const also = read ? ` The label's ${read} filled the form.` : "";
    return { gs1: code.gs1, material, unknown: true, text: `GTIN ${gtin} is not in the material master: choose the material by hand or ask for it to be added.${also}` };
  }
  const facts = [gtin && `GTIN ${gtin}`, read].filter(Boolean).join(", ");
  return { gs1: code.gs1, material, text: `Filled from the label: ${facts}${material ? ` (${material.name})` : ""}.` };
}

/**
 * The "Receive a lot" form. `materials` is the material master; `onReceived(lot)` is called
 * after the lot was received.
 */
export function receiveLotForm({ materials, onReceived }) {
  const material = field({
    label: "Material",
    control: h("select", { name: "material", required: true },
      h("option", { value: "" }, "Choose a material"),
      materials.map((item) => h("option", { value: item.code }, `${item.name} (${item.code})`))),
  });
  const supplier = field({ label: "Supplier", control: h("input", { name: "supplier", autocomplete: "organization", maxlength: 200 }) });
  const supplierLot = field({ label: "Supplier lot", control: h("input", { name: "supplier_lot", autocomplete: "off", spellcheck: "false", maxlength: 64 }) });
  const quantity = field({ label: "Quantity", control: h("input", { name: "quantity", type: "number", inputmode: "decimal", step: "any", min: "0" }) });
  const expiry = field({ label: "Expiry", control: h("input", { name: "expiry", type: "date" }) });
  const fields = { material, supplier, supplier_lot: supplierLot, quantity, expiry };

  const scanned = h("p", { class: "notice notice--info receive-lot__scanned", id: "receive-scan-result", role: "status", hidden: true });
  const scanText = field({
    label: "Scanner text",
    hint: "Scan the supplier's GS1 code into this box, or type its text, e.g. (01)09506000130118(10)AV-7734(17)280630.",
    control: h("input", { name: "scan_text", autocomplete: "off", spellcheck: "false", maxlength: 4000 }),
  });
  const photo = field({
    label: "Photo of the label",
    control: h("input", { name: "image", type: "file", accept: "image/*", capture: "environment", onChange: () => scanPhoto() }),
  });
  const message = formMessage();
  const submit = h("button", { type: "submit", class: "button button--primary" }, icon("plus"), "Receive into quarantine");

  function showScan(scan) {
    const outcome = scanOutcome(scan, materials);
    scanned.className = `notice ${outcome.unknown ? "notice--warn" : "notice--info"} receive-lot__scanned`;
    replace(scanned, icon(outcome.unknown ? "alert" : "scan"), h("span", {}, outcome.text));
    scanned.hidden = false;
    if (!outcome.gs1) return;
    material.control.value = outcome.material?.code ?? "";
    if (outcome.gs1.lot) supplierLot.control.value = outcome.gs1.lot;
    if (outcome.gs1.expiry) expiry.control.value = outcome.gs1.expiry;
  }

  async function scan(send) {
    message.clear();
    try {
      showScan(await send());
    } catch (error) {
      message.show(error.detail);
    }
  }

  function scanTyped(event) {
    event.preventDefault();
    const text = scanText.control.value.trim();
    if (!text) {
      scanText.setError("Scan or type the label's code first.");
      scanText.control.focus();
      return;
    }
    scanText.setError(null);
    return scan(() => api.request("POST", "/scans", { text }));
  }

  function scanPhoto() {
    const file = photo.control.files[0];
    if (!file) return;
    const body = new FormData();
    body.append("image", file);
    return scan(() => api.sendForJson("POST", "/scans", { body }));
  }

  async function receive(event) {
    event.preventDefault();
    message.clear();
    const body = {
      material: material.control.value,
      supplier: supplier.control.value.trim(),
      supplier_lot: supplierLot.control.value.trim(),
      quantity: quantity.control.value,
      expiry: expiry.control.value,
    };
    const missing = Object.entries(body).filter(([, value]) => !value).map(([name]) => name);
    for (const [name, built] of Object.entries(fields)) built.setError(missing.includes(name) ? "Required." : null);
    if (missing.length) {
      fields[missing[0]].control.focus();
      return;
    }
    submit.disabled = true;
    try {
      const lot = await api.request("POST", "/lots", body);
      message.show(`Lot ${lot.lot_number} received into quarantine.`, "info");
      for (const built of [supplierLot, quantity, expiry, scanText]) built.control.value = "";
      photo.control.value = "";
      scanned.hidden = true;
      onReceived(lot);
    } catch (error) {
      const { placed, unplaced } = showProblem(error, fields);
      if (!placed || unplaced.length) message.show(unplaced.join(" ") || error.detail);
    } finally {
      submit.disabled = false;
    }
  }

  return h(
    "section",
    { class: "panel receive-lot", "aria-labelledby": "receive-lot-title" },
    h("h2", { id: "receive-lot-title" }, "Receive a lot"),
    h("p", { class: "muted" }, "Scan the supplier's label to fill the material, supplier lot and expiry. The lot arrives in quarantine until QA releases it."),
    h("form", { class: "filters receive-lot__scan", "aria-label": "Scan the supplier's label", novalidate: true, onSubmit: scanTyped },
      scanText.element,
      h("button", { type: "submit", class: "button" }, icon("scan"), "Read code"),
      photo.element),
    scanned,
    h("form", { class: "form-card receive-lot__form", "aria-label": "Receive a lot", novalidate: true, onSubmit: receive },
      material.element, supplier.element, supplierLot.element, quantity.element, expiry.element,
      message.element,
      h("div", { class: "form-actions" }, submit)),
  );
}
