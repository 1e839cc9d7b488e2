"""Analytics endpoints: the batches x parameters table, a parameter's control chart, an
outcome's drivers and scatter; JSON, or CSV / PNG / SVG with `?format=`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from server.analytics import queries
from server.analytics import service as analytics
from server.analytics.schemas import DriversOut, ScatterOut, TableOut, TrendOut
from server.analytics.table import BatchTable
from server.auth.roles import EVERYONE
from server.concurrency import run_blocking
from server.web.api import Api, Call, Preparation, Prepare

api = Api("analytics")

PREFIX = "/analytics/procedures/{key}"
TABLE_FORMATS = ("json", "csv")
CHART_FORMATS = ("json", "png", "svg")


async def _answered(
    prep: Preparation[None], formats: tuple[str, ...], answer: Callable[[BatchTable, str], object]
) -> analytics.Answer:
    """Read the table in a short read-only transaction, then compute with none open, in a
    worker thread (statistics and drawing are CPU work)."""
    query = prep.request.query
    fmt = analytics.choice("format", query.get("format"), formats)
    include = analytics.choice("include", query.get("include"), analytics.INCLUDES)
    async with prep.database.sessions(readonly=True)() as session, session.begin():
        table = await queries.batch_table(session, prep.param("key"), include)  # type: ignore[arg-type]
    found = await run_blocking(answer, table, fmt)
    assert isinstance(found, analytics.Answer)
    return found


async def _table(prep: Preparation[None]) -> analytics.Answer:
    return await _answered(prep, TABLE_FORMATS, analytics.table_answer)


async def _trend(prep: Preparation[None]) -> analytics.Answer:
    name = prep.param("name")
    return await _answered(
        prep, CHART_FORMATS, lambda table, fmt: analytics.trend_answer(table, name, fmt)
    )


async def _drivers(prep: Preparation[None]) -> analytics.Answer:
    name = prep.param("name")
    return await _answered(
        prep, CHART_FORMATS, lambda table, fmt: analytics.drivers_answer(table, name, fmt)
    )


async def _scatter(prep: Preparation[None]) -> analytics.Answer:
    name, parameter = prep.param("name"), prep.param("parameter")
    return await _answered(
        prep,
        CHART_FORMATS,
        lambda table, fmt: analytics.scatter_answer(table, name, parameter, fmt),
    )


async def _respond(call: Call[None]) -> web.Response:
    """What the prepare phase computed, as JSON or as the file asked for."""
    answer = call.prepared_as(analytics.Answer)
    if answer.json is not None:
        return web.json_response(answer.json)
    return web.Response(body=answer.body, content_type=answer.media_type)


CHARTS = ("application/json", "image/png", "image/svg+xml")
# operation id, path, summary, response shape, media types, prepare phase.
ROUTES: tuple[tuple[str, str, str, type, tuple[str, ...], Prepare], ...] = (
    (
        "analytics_table",
        "/table",
        "Batches x recorded numbers (parameters and cqa outcomes), every version; "
        "?include=all for unfinished batches, ?format=csv",
        TableOut,
        ("application/json", "text/csv"),
        _table,
    ),
    (
        "analytics_trend",
        "/parameters/{name}/trend",
        "Individuals control chart of one recorded number: limits, Nelson rules, "
        "Cpk/Ppk; ?format=png|svg",
        TrendOut,
        CHARTS,
        _trend,
    ),
    (
        "analytics_drivers",
        "/outcomes/{name}/drivers",
        "Parameters ranked by association with an outcome: correlation, interval, "
        "corrected p, elastic-net coefficients; ?format=png|svg",
        DriversOut,
        CHARTS,
        _drivers,
    ),
    (
        "analytics_scatter",
        "/outcomes/{name}/scatter/{parameter}",
        "An outcome against one parameter, batch by batch; ?format=png|svg",
        ScatterOut,
        CHARTS,
        _scatter,
    ),
)


def _named(operation: str) -> Callable[[Call[None]], Awaitable[web.Response]]:
    """`_respond` under the route's own name, which the OpenAPI operation id is made of."""

    async def respond(call: Call[None]) -> web.Response:
        return await _respond(call)

    respond.__name__ = respond.__qualname__ = operation
    return respond


for operation, path, summary, shape, media, prepare in ROUTES:
    api.route(
        "GET",
        PREFIX + path,
        summary=summary,
        roles=EVERYONE,
        response=shape,
        produces=media,
        prepare=prepare,
    )(_named(operation))
