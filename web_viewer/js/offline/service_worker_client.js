// The page's side of the service worker (/service_worker.js): register it, hand it the files
// this page was loaded with (fetched before it was in control, so not yet kept), and have it
// forget the reads it kept when someone signs out.

/**
 * Register the service worker and have it keep the viewer's files; once they are kept, the
 * page's root element says so (`data-offline-ready`). A browser without service workers (or
 * an insecure origin) just works online.
 */
export async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/service_worker.js", { scope: "/" });
    const registration = await navigator.serviceWorker.ready;
    const loaded = performance.getEntriesByType("resource")
      .map((entry) => new URL(entry.name))
      .filter((url) => url.origin === location.origin && url.pathname.startsWith("/assets/"))
      .map((url) => url.pathname);
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      document.documentElement.dataset.offlineReady = "true";
    };
    registration.active.postMessage({ type: "keep", paths: ["/", ...new Set(loaded)] }, [channel.port2]);
  } catch (error) {
    console.warn("The page will not work offline:", error);
  }
}

/** Forget the kept reads (who was signed in, batches) after signing out. */
export function forgetKeptReads() {
  navigator.serviceWorker?.controller?.postMessage({ type: "forget-reads" });
}
