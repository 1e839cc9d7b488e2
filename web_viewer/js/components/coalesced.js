// Live re-reads, coalesced: events come in bursts (a completion activates the next step), so
// one read runs at a time, and one more after it if anything asked meanwhile.

/**
 * A function that runs `task` (async) as described; it answers a promise of the run it
 * joined. `isCurrent()` stops repeating once the page is left; failures go to `onError`.
 */
export function coalesced(task, { isCurrent, onError }) {
  let running = null;
  let again = false;
  return function run() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await task();
        } while (again && isCurrent());
      } finally {
        running = null;
      }
    })().catch(onError);
    return running;
  };
}
