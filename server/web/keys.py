"""Typed application state."""

from __future__ import annotations

from aiohttp import web

from server.auth.gate import SignInGate
from server.config import Settings
from server.db.engine import Database
from server.events.bus import EventBus
from server.media_store.files import MediaFiles

SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", Database)
EVENTS = web.AppKey("events", EventBus)
MEDIA_FILES = web.AppKey("media_files", MediaFiles)
SIGN_IN_GATE = web.AppKey("sign_in_gate", SignInGate)
