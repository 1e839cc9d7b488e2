"""The ceiling for bench/steps.py: one aiohttp POST endpoint that parses JSON and answers JSON.

No database, no authentication, no validation: what is left is aiohttp, HTTP and JSON, the
cost every Stepwise request pays before it does any work of its own.

    python bench/bare_server.py --port 8099
"""

from __future__ import annotations

import argparse

from aiohttp import web

PATH = "/complete"


async def complete(request: web.Request) -> web.Response:
    """Parse the JSON body and answer with a small JSON document shaped like a completion."""
    body = await request.json()
    return web.json_response(
        {"result": "ok", "deviations": [], "next_step": None, "received": len(body["values"])}
    )


def create_app() -> web.Application:
    """The application with its one endpoint."""
    app = web.Application()
    app.router.add_post(PATH, complete)
    return app


def main() -> None:
    """Serve on the loopback interface until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(create_app(), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
