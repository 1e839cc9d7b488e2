"""The OpenAPI 3.1 document, generated from the endpoint declarations and the event models."""

from __future__ import annotations

import re
from typing import Any, get_args, get_origin

from aiohttp import web
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from server.events.schemas import EVENTS, REPLIES
from server.idempotency.service import MAX_KEY_CHARS
from server.streams.ids import PATTERN as STREAM_ID_PATTERN
from server.web.api import PREFIX, Api, Endpoint
from server.web.listing import PAGING_HEADERS, PAGING_PARAMETERS
from server.web.paths import MAX_VERSION

REF = "#/components/schemas/{model}"
# A file in a body (the schema of a Media Type Object; generators read "binary" as a file).
BINARY = {"type": "string", "format": "binary"}
YAML_DOCUMENT = {"description": "A YAML document."}
PROBLEM = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "current": {"type": "object"},
    },
    "required": ["type", "title", "status", "detail"],
}


# Path parameters with a rule of their own, so generated clients send what the server takes.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "version": {"type": "integer", "minimum": 0, "maximum": MAX_VERSION},
    "stream_id": {"type": "string", "pattern": STREAM_ID_PATTERN},
}


# A stream lives in one server process; a request for it reaching another is sent there.
REDIRECT = {
    "description": "the stream lives in another server process: repeat the request, same"
    " method and body, at `Location` (RFC 9725 §4.5)",
    "headers": {"Location": {"required": True, "schema": {"type": "string", "format": "uri"}}},
}


def _models(endpoints: list[Endpoint]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for endpoint in endpoints:
        for shape in (endpoint.body, endpoint.response, endpoint.upload):
            if get_origin(shape) is list:
                shape = get_args(shape)[0]
            if isinstance(shape, type) and issubclass(shape, BaseModel) and shape not in found:
                found.append(shape)
    return found


def _schema_of(shape: Any, refs: dict[Any, Any]) -> dict[str, Any]:
    if get_origin(shape) is list:
        return {"type": "array", "items": _schema_of(get_args(shape)[0], refs)}
    if shape is None:
        return {"type": "object"}
    return (
        refs[(shape, "validation")]
        if (shape, "validation") in refs
        else TypeAdapter(shape).json_schema()
    )


def _media_schema(endpoint: Endpoint, media: str, refs: dict[Any, Any]) -> dict[str, Any]:
    """The schema of an answer in `media`: its model for JSON, any document for YAML (clients
    parse it into data; a procedure file's schema is procedures/schema), a file otherwise."""
    if media == "application/json" or media.endswith("+json"):
        return _schema_of(endpoint.response, refs)
    if media.endswith("yaml"):
        return YAML_DOCUMENT
    return BINARY


def _operation_id(endpoint: Endpoint, taken: set[str]) -> str:
    """The handler's name; for a handler serving several routes, with its route's words."""
    name = endpoint.handler.__name__.lstrip("_")
    if name in taken:
        words = [part for part in endpoint.path.split("/") if part and "{" not in part]
        name = "_".join([name, *words]).replace("-", "_").replace(".", "_")
    taken.add(name)
    return name


def _operation(endpoint: Endpoint, refs: dict[Any, Any], taken: set[str]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "operationId": _operation_id(endpoint, taken),
        "responses": {
            str(endpoint.status): {
                "description": "success",
                "content": {
                    media: {"schema": _media_schema(endpoint, media, refs)}
                    for media in endpoint.produces
                },
            },
            "4XX": {
                "description": "refused",
                "content": {"application/problem+json": {"schema": PROBLEM}},
            },
        },
    }
    if endpoint.redirects:
        operation["responses"]["307"] = REDIRECT
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": PATH_PARAMETERS.get(name, {"type": "string"}),
        }
        for name in re.findall(r"{(\w+)}", endpoint.path)
    ]
    params += [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"},
         "description": description}
        for name, description in endpoint.filters
    ]  # fmt: skip
    if endpoint.paged:
        params += PAGING_PARAMETERS
        operation["responses"][str(endpoint.status)]["headers"] = PAGING_HEADERS
    if endpoint.idempotent:
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_KEY_CHARS,
                    "pattern": "^[ -~]*[!-~][ -~]*$",
                },
                "description": "Replays the first answer for a retried request.",
            }
        )
    if params:
        operation["parameters"] = params
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": not endpoint.optional_body,
            "content": {"application/json": {"schema": refs[(endpoint.body, "validation")]}},
        }
    if endpoint.upload is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": {"image": BINARY}}
                },
                "application/json": {"schema": refs[(endpoint.upload, "validation")]},
            },
        }
    if endpoint.consumes:
        # A document taken as JSON (the `upload` shape) or in another format (B2MML XML).
        shaped = refs[(endpoint.upload, "validation")] if endpoint.upload else None
        operation["requestBody"] = {
            "required": True,
            "content": {
                media: {"schema": shaped if shaped and media == "application/json" else BINARY}
                for media in endpoint.consumes
            },
        }
    if endpoint.roles is None:
        operation["security"] = []
    else:
        operation["x-roles"] = sorted(endpoint.roles)
    return operation


def _event_schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    """The WebSocket's messages as components: each model, the unions `Event` (a batch's
    events) and `Reply` (the socket's own answers); and the `x-events` entry naming them."""
    events = EVENTS.json_schema(ref_template=REF)
    replies = REPLIES.json_schema(ref_template=REF)
    models = {**events.pop("$defs"), **replies.pop("$defs")}
    entry = {
        "description": "Sent on the WebSocket (GET /api/v1/ws), one JSON object per message, "
        "told apart by `type`: the events of the subscribed batches, and replies to commands.",
        "schema": {"$ref": REF.format(model="Event")},
        "replies": {"$ref": REF.format(model="Reply")},
    }
    return {**models, "Event": events, "Reply": replies}, entry


def build_document(apis: list[Api]) -> dict[str, Any]:
    """OpenAPI 3.1 for every declared endpoint."""
    endpoints = [endpoint for api in apis for endpoint in api.endpoints]
    models = _models(endpoints)
    refs, definitions = models_json_schema(
        [(model, "validation") for model in models], ref_template=REF
    )
    event_models, events = _event_schemas()
    paths: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    for endpoint in endpoints:
        paths.setdefault(PREFIX + endpoint.path, {})[endpoint.method.lower()] = _operation(
            endpoint, refs, taken
        )
    return {
        "openapi": "3.1.0",
        "info": {"title": "Stepwise API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {
                **definitions.get("$defs", {}),
                **event_models,
                "Problem": PROBLEM_SCHEMA,
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "x-events": events,
    }


def openapi_handler(apis: list[Api]) -> Any:
    """An aiohttp handler serving the document of `apis`, built when first asked for (building
    it takes longer than starting the rest of the application)."""
    built: list[dict[str, Any]] = []

    async def serve_openapi(_request: web.Request) -> web.Response:
        if not built:
            built.append(build_document(apis))
        return web.json_response(built[0])

    return serve_openapi
