// The "headset" layout of the operator pages (#/operator?layout=headset) for voice-driven
// headsets (RealWear and similar), which click a control when its visible label is spoken:
// 854×480, large type, one view at a time under the current instruction, and every control
// with a unique visible label, numbered where several would say the same ("OK 1", "OK 2").

import { h } from "../dom.js";
import { icon } from "./icons.js";

const LAYOUT = "headset";
// What a speech layer offers to click: links, buttons, disclosures, and labels that stand for
// a control (a choice, a checklist box, the phone's camera app).
const SPOKEN_CONTROLS = "a[href], button, summary, label.op-choice, label.button";
const NUMBER_CLASS = "say-number";
const UNSPOKEN = `.visually-hidden, .${NUMBER_CLASS}, [aria-hidden="true"]`;

/** Whether the page of `ctx` asks for the headset layout. */
export function isHeadset(ctx) {
  return ctx.query?.get("layout") === LAYOUT;
}

/** What keeps the layout on the operator's own links: "?layout=headset" or "". */
export function layoutQuery(ctx) {
  return isHeadset(ctx) ? `?layout=${LAYOUT}` : "";
}

/**
 * Apply the layout to the page of `ctx` and keep its labels unique while it is shown.
 * Answers the cleanup for when the page is left.
 */
export function useLayout(ctx) {
  if (!isHeadset(ctx)) return () => {};
  const root = document.documentElement;
  root.dataset.layout = LAYOUT;
  // Renumbering writes only what differs, so the records it causes settle at once.
  const observer = new MutationObserver(numberAlike);
  observer.observe(document.body, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: ["hidden", "open", "class", "data-view", "disabled"],
  });
  numberAlike();
  return () => {
    observer.disconnect();
    delete root.dataset.layout;
    for (const number of document.querySelectorAll(`.${NUMBER_CLASS}`)) number.remove();
  };
}

/**
 * A button that puts the cursor in `control` (a text, number or password input), for a
 * headset whose operator cannot tap the field: "Type water added". Shown in the headset
 * layout only.
 */
export function typeButton(control, what) {
  return h(
    "button",
    {
      type: "button",
      class: "button op-button say-type",
      "aria-controls": control.id,
      onClick: () => {
        control.focus();
        control.select?.();
      },
    },
    icon("pencil"),
    `Type ${what}`,
  );
}

/** The label a speech layer hears for `control`: its rendered text, spaces collapsed. */
export function spokenLabel(control) {
  const walker = document.createTreeWalker(control, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.parentElement.closest(UNSPOKEN) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  let text = "";
  while (walker.nextNode()) text += walker.currentNode.data;
  return text.replace(/\s+/g, " ").trim();
}

function shown(element) {
  return element.getClientRects().length > 0 && getComputedStyle(element).visibility !== "hidden";
}

/** Number the shown controls (of the open dialog, else the page) that say the same thing. */
function numberAlike() {
  const scope = document.querySelector("dialog[open]") ?? document.body;
  const alike = new Map();
  for (const control of scope.querySelectorAll(SPOKEN_CONTROLS)) {
    if (!shown(control)) continue;
    const label = spokenLabel(control).toLowerCase();
    alike.set(label, [...(alike.get(label) ?? []), control]);
  }
  for (const controls of alike.values()) {
    controls.forEach((control, index) => setNumber(control, controls.length > 1 ? index + 1 : null));
  }
}

function setNumber(control, number) {
  const existing = control.querySelector(`:scope > .${NUMBER_CLASS}`);
  const text = number === null ? null : ` ${number}`;
  if (existing?.textContent === text) return;
  if (text === null) {
    existing?.remove();
  } else if (existing) {
    existing.textContent = text;
  } else {
    control.append(h("span", { class: NUMBER_CLASS }, text));
  }
}

/**
 * Buttons that show one of `views` ([name, label] pairs) of `container` at a time: its
 * `data-view` names the one shown; the headset layout's CSS hides the others. Answers
 * {element, show(name)}; `element` is shown in the headset layout only.
 */
export function viewSwitcher(container, views) {
  const buttons = views.map(([name, label]) =>
    h("button", { type: "button", class: "button op-button", "data-view-button": name, onClick: () => show(name) }, label));
  function show(name) {
    container.dataset.view = name;
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.viewButton === name));
  }
  show(views[0][0]);
  return { element: h("nav", { class: "say-views", "aria-label": "Views" }, buttons), show };
}
