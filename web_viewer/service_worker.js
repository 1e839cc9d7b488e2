// The service worker: keeps the viewer (page, scripts, styles) and the reads the operator page
// needs (who is signed in, the batch with its procedure version) so that the page opens and
// shows the batch without a connection. Always the network first: a cached answer is used
// only when the server cannot be reached, so nothing shown online is ever stale.
// Submissions are never cached or replayed here: the page's outbox (js/offline/outbox.js)
// sends them, in order, with their Idempotency-Key.

const CACHE = "stepwise-viewer-v1";
const API = "/api/v1/";
// The reads kept for the page offline; everything else under the API goes to the network only.
const KEPT_READS = [
  /^\/api\/v1\/auth\/me$/,
  /^\/api\/v1\/batches\/[^/]+$/,
  /^\/api\/v1\/batches$/,
  /^\/api\/v1\/procedures\/[^/]+\/\d+$/,
];

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  // Signing out forgets the kept reads: the next person on this phone sees none of them.
  if (event.data?.type === "forget-reads") event.waitUntil(forgetReads());
  // The files a page was loaded with before this worker was in control: kept now.
  if (event.data?.type === "keep") {
    event.waitUntil(keep(event.data.paths).then(() => event.ports[0]?.postMessage("kept")));
  }
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!kept(url)) return;
  event.respondWith(networkFirst(event, url));
});

function kept(url) {
  if (url.pathname.startsWith(API)) return KEPT_READS.some((pattern) => pattern.test(url.pathname));
  return url.pathname === "/" || url.pathname.startsWith("/assets/");
}

/** The network's answer (kept when it is a success), or the kept one when it cannot be had. */
async function networkFirst(event, url) {
  const cache = await caches.open(CACHE);
  // A list is kept under its path with its query; the page itself under "/".
  const key = url.pathname === "/" ? "/" : url.pathname + url.search;
  try {
    const response = await fetch(event.request);
    // Kept while the page already reads the answer: keeping it never delays the page.
    if (response.ok) event.waitUntil(cache.put(key, response.clone()));
    return response;
  } catch (error) {
    const keptAnswer = await cache.match(key);
    if (keptAnswer) return keptAnswer;
    throw error;
  }
}

async function keep(paths) {
  const cache = await caches.open(CACHE);
  const wanted = paths.filter((path) => kept(new URL(path, self.location.origin)));
  await Promise.all(wanted.map(async (path) => {
    if (!(await cache.match(path))) await cache.add(path);
  }));
}

async function forgetReads() {
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname.startsWith(API)) await cache.delete(request);
  }
}
