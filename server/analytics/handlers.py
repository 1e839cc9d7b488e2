"""Analytics endpoints: the batches x parameters table, a parameter's control chart, an
outcome's drivers and scatter; JSON, or CSV / PNG / SVG with `?format=`."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from server.analytics import queries
from server.analytics import service as analytics
from server.analytics.schemas import DriversOut, ScatterOut, TableOut, TrendOut
from server.analytics.table import BatchTable
from server.auth.roles import EVERYONE
from server.concurrency import run_blocking
from server.web.api import Api, Call, Preparation

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


def _respond(call: Call[None]) -> web.Response:
    answer = call.prepared_as(analytics.Answer)
    if answer.json is not None:
        return web.json_response(answer.json)
    return web.Response(body=answer.body, content_type=answer.media_type)


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


@api.route(
    "GET",
    PREFIX + "/table",
    summary="Batches x recorded numbers (parameters and cqa outcomes), every version; "
    "?include=all for unfinished batches, ?format=csv",
    roles=EVERYONE,
    response=TableOut,
    produces=("application/json", "text/csv"),
    prepare=_table,
)
async def table(call: Call[None]) -> web.Response:
    return _respond(call)


@api.route(
    "GET",
    PREFIX + "/parameters/{name}/trend",
    summary="Individuals control chart of one recorded number: limits, Nelson rules, "
    "Cpk/Ppk; ?format=png|svg",
    roles=EVERYONE,
    response=TrendOut,
    produces=("application/json", "image/png", "image/svg+xml"),
    prepare=_trend,
)
async def trend(call: Call[None]) -> web.Response:
    return _respond(call)


@api.route(
    "GET",
    PREFIX + "/outcomes/{name}/drivers",
    summary="Parameters ranked by association with an outcome: correlation, interval, "
    "corrected p, elastic-net coefficients; ?format=png|svg",
    roles=EVERYONE,
    response=DriversOut,
    produces=("application/json", "image/png", "image/svg+xml"),
    prepare=_drivers,
)
async def drivers(call: Call[None]) -> web.Response:
    return _respond(call)


@api.route(
    "GET",
    PREFIX + "/outcomes/{name}/scatter/{parameter}",
    summary="An outcome against one parameter, batch by batch; ?format=png|svg",
    roles=EVERYONE,
    response=ScatterOut,
    produces=("application/json", "image/png", "image/svg+xml"),
    prepare=_scatter,
)
async def scatter(call: Call[None]) -> web.Response:
    return _respond(call)
