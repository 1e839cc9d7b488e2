// Pages that re-read on live events must not wipe what someone is typing: once a form of the
// view has been edited, only the user's own action (which re-reads on purpose) re-renders it.

/** Guard `view`; answers {force(), mayRender()}. */
export function editGuard(view) {
  view.addEventListener("input", (event) => event.target.form?.setAttribute("data-edited", ""));
  let forced = false;
  return {
    /** The next re-read renders even over edited forms (after the user's own action). */
    force() {
      forced = true;
    },
    /** Whether a re-read may replace the view now. */
    mayRender() {
      const may = forced || !view.querySelector("form[data-edited]");
      forced = false;
      return may;
    },
  };
}
