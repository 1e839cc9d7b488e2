"""The aiohttp application: resources as cleanup contexts, routes from declarations."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Sequence

from aiohttp import web

from server.analytics.handlers import api as analytics_api
from server.annotations.handlers import api as annotations_api
from server.audit.context import audit_sealing
from server.audit.handlers import api as audit_api
from server.auth.account_handlers import api as accounts_api
from server.auth.gate import SignInGate
from server.auth.handlers import api as auth_api
from server.batch_record.handlers import api as batch_record_api
from server.batches.handlers import api as batches_api
from server.batches.hold_handlers import api as holds_api
from server.config import Settings
from server.db.engine import open_database
from server.db.migrate import upgrade
from server.deviations.handlers import api as deviations_api
from server.epcis.handlers import api as epcis_api
from server.equipment.handlers import api as equipment_api
from server.events import postgres
from server.events.bus import EventBus
from server.events.handlers import api as events_api
from server.genealogy.handlers import api as genealogy_api
from server.labels.handlers import api as labels_api
from server.library.authoring_handlers import api as authoring_api
from server.library.handlers import api as library_api
from server.materials.handlers import api as materials_api
from server.media_store.context import image_workers
from server.media_store.files import MediaFiles
from server.media_store.handlers import api as media_api
from server.orders.handlers import api as orders_api
from server.redlines.handlers import api as redlines_api
from server.review.handlers import api as review_api
from server.scans.handlers import api as scans_api
from server.step_media.handlers import api as step_media_api
from server.streams.analysis_context import stream_analyses
from server.streams.analysis_handlers import api as stream_analysis_api
from server.streams.context import live_streams
from server.streams.handlers import api as streams_api
from server.streams.recording_handlers import api as stream_recordings_api
from server.web.access_log import access_log
from server.web.api import PREFIX, Api, mount
from server.web.keys import DATABASE, EVENTS, MEDIA_FILES, SETTINGS, SIGN_IN_GATE
from server.web.middleware import problems
from server.web.openapi import openapi_handler
from server.web.pages import add_pages, security_headers
from server.webhooks.context import webhook_sending
from server.webhooks.handlers import api as webhooks_api

# Sign-ins waiting for a password check, per core, before more are told to come back: about
# two seconds of Argon2 work.
SIGN_INS_WAITING_PER_CORE = 32
APIS: list[Api] = [
    auth_api,
    accounts_api,
    authoring_api,
    step_media_api,
    library_api,
    batches_api,
    deviations_api,
    holds_api,
    redlines_api,
    batch_record_api,
    audit_api,
    events_api,
    equipment_api,
    materials_api,
    scans_api,
    labels_api,
    genealogy_api,
    streams_api,
    stream_analysis_api,
    stream_recordings_api,
    media_api,
    annotations_api,
    review_api,
    webhooks_api,
    orders_api,
    epcis_api,
    analytics_api,
]


def _database(*, migrate: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    async def database(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = settings.effective_database_url
        if migrate:
            await upgrade(url)
        database = open_database(url, settings.db_wait_seconds)
        app[DATABASE] = database
        yield
        await database.dispose()

    return database


async def _events(app: web.Application) -> AsyncIterator[None]:
    bus = EventBus(app[SETTINGS].event_queue_size)
    app[EVENTS] = bus
    if app[DATABASE].is_postgres:
        async with postgres.listening(bus, app[DATABASE].url):
            yield
    else:
        yield


def create_app(
    settings: Settings, extra: Sequence[Api] = (), *, migrate: bool = True
) -> web.Application:
    """A ready-to-run application; the database is migrated when it starts, unless `migrate`
    is False (a worker of `serve --workers N`, whose parent migrated once for all). `extra`:
    more endpoints, such as the demo's."""
    app = web.Application(
        middlewares=[access_log, security_headers, problems],
        client_max_size=settings.max_upload_bytes,
    )
    app[SETTINGS] = settings
    app[MEDIA_FILES] = MediaFiles(settings.data_dir / "media")
    cores = os.cpu_count() or 1
    app[SIGN_IN_GATE] = SignInGate(concurrent=cores, waiting=SIGN_INS_WAITING_PER_CORE * cores)
    app.cleanup_ctx.extend(
        [
            _database(migrate=migrate),
            _events,
            audit_sealing,
            image_workers,
            live_streams,
            stream_analyses,
            webhook_sending,
        ]
    )
    apis = [*APIS, *extra]
    mount(app, apis)
    app.router.add_get(PREFIX + "/openapi.json", openapi_handler(apis))
    add_pages(app)
    return app
