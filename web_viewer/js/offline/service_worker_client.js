// The page's side of the service worker (/service_worker.js): register it, and have it forget
// the reads it kept when someone signs out.

/** Register the service worker; a browser without one (or an insecure origin) just works online. */
export async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/service_worker.js", { scope: "/" });
  } catch (error) {
    console.warn("The page will not work offline:", error);
  }
}

/** Forget the kept reads (who was signed in, batches) after signing out. */
export function forgetKeptReads() {
  navigator.serviceWorker?.controller?.postMessage({ type: "forget-reads" });
}
