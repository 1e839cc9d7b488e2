"""Reading a JSON request body into a pydantic model: 4xx with field paths, never 5xx."""

from __future__ import annotations

import asyncio
import json
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, TypeVar

from aiohttp import ClientPayloadError, web
from pydantic import BaseModel, ValidationError

from server.errors import Invalid, Problem, UnsupportedMediaType
from server.web.json_limits import (
    MAX_DEPTH,
    JsonOutOfLimits,
    bounded_int,
    json_problem,
    no_constants,
)

M = TypeVar("M", bound=BaseModel)


class MalformedBody(Invalid):
    """The body is not valid JSON."""


class BodyTooLarge(Invalid):
    """The body is larger than the server accepts for this kind of request."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than {limit // 1024} KiB.")


class BodyOutOfLimits(Invalid):
    """The body is JSON beyond what the server takes (too deep, a number too large)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            f"The body is out of limits at {field}: {message}.",
            problems=[Problem(field, message, code="out_of_limits")],
        )


class BodyTooSlow(Invalid):
    """The body did not arrive in time: a client sending a few bytes a minute holds a worker."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"The request body did not arrive within {seconds:g} seconds.")


class BodyIncomplete(Invalid):
    """The client went away before its body had arrived: nothing was done."""

    def __init__(self, received: int) -> None:
        super().__init__(f"The connection closed after {received} bytes of the body.")


class BodyInvalid(Invalid):
    """The body is JSON but does not have the expected shape."""


def _problems(exc: ValidationError) -> list[Problem]:
    return [
        Problem(
            ".".join(str(part) for part in error["loc"]) or "body", error["msg"], code=error["type"]
        )
        for error in exc.errors(include_url=False, include_input=False)
    ]


def load_json(raw: bytes) -> Any:
    """A client's JSON document, within the limits of server.web.json_limits."""
    try:
        data = json.loads(raw or b"null", parse_int=bounded_int, parse_constant=no_constants)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedBody(f"The body is not valid JSON: {exc}.") from exc
    except RecursionError as exc:
        raise BodyOutOfLimits("body", f"nested deeper than {MAX_DEPTH} levels") from exc
    except JsonOutOfLimits as exc:
        raise BodyOutOfLimits("body", str(exc)) from exc
    problem = json_problem(data)
    if problem is not None:
        raise BodyOutOfLimits(problem.path, problem.message)
    return data


def parse_json(raw: bytes, content_type: str, model: type[M]) -> M:
    """Validate raw bytes as JSON of `model`."""
    if content_type != "application/json":
        raise UnsupportedMediaType(
            f"Expected Content-Type application/json, got {content_type or 'none'!r}."
        )
    data = load_json(raw)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc)
        raise BodyInvalid(
            f"The body does not match {model.__name__}: "
            + "; ".join(f"{p.field}: {p.message}" for p in problems),
            problems=problems,
        ) from exc


def form_file(raw: bytes, content_type: str, name: str) -> bytes | None:
    """The bytes of the field `name` of a multipart/form-data body read whole, if present."""
    form = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    if not form.is_multipart():
        return None
    for part in form.iter_parts():
        if part.get_param("name", header="content-disposition") == name:
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


async def read_body(request: web.Request, limit: int, seconds: float) -> bytes:
    """The whole request body, however it arrives in pieces: BodyTooLarge past `limit` (said
    at once when the declared length is over it), BodyTooSlow when it takes over `seconds`,
    BodyIncomplete when the client goes away half-way."""
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLarge(limit)
    data = bytearray()
    try:
        async with asyncio.timeout(seconds):
            while chunk := await request.content.read(64 * 1024):
                data += chunk
                if len(data) > limit:
                    raise BodyTooLarge(limit)
    except TimeoutError as exc:
        raise BodyTooSlow(seconds) from exc
    except (ConnectionError, ClientPayloadError) as exc:
        raise BodyIncomplete(len(data)) from exc
    return bytes(data)
