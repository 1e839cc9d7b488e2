"""The web viewer's static files, and the security headers every response carries."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler

WEB_ROOT = Path(__file__).resolve().parents[2] / "web_viewer"
# No inline scripts or styles anywhere: injected markup can neither run nor restyle the page.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Add the security headers to every answer, errors included."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(HEADERS)
        raise
    if not response.prepared:
        response.headers.update(HEADERS)
    return response


async def _index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_ROOT / "index.html", headers={"Cache-Control": "no-cache"})


async def _service_worker(_request: web.Request) -> web.FileResponse:
    # Served at the root so that its scope covers the page at `/`; revalidated on every
    # load, so a new version of the viewer replaces the cached one.
    return web.FileResponse(
        WEB_ROOT / "service_worker.js",
        headers={"Cache-Control": "no-cache", "Content-Type": "text/javascript"},
    )


def add_pages(app: web.Application) -> None:
    """Serve `web_viewer/index.html` at `/`, its service worker at `/service_worker.js` and
    the folder at `/assets/`."""
    app.router.add_get("/", _index)
    app.router.add_get("/service_worker.js", _service_worker)
    app.router.add_static("/assets/", WEB_ROOT, append_version=False)
