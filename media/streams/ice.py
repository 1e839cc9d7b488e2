"""STUN and TURN servers for the server's peers, in the JSON form browsers take
(`RTCIceServer` dictionaries), checked once when the settings are read."""

from __future__ import annotations

import json
from typing import Any

_SCHEMES = ("stun:", "turn:", "turns:")
_FIELDS = {"urls", "username", "credential"}


def _urls(value: Any, where: str) -> list[str]:
    urls = [value] if isinstance(value, str) else value
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise ValueError(f"{where}: `urls` must be a URL or a non-empty list of URLs")
    for url in urls:
        if not url.startswith(_SCHEMES):
            raise ValueError(f"{where}: {url!r} is not a stun:, turn: or turns: URL")
    return urls


def _server(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected an object with `urls`")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    urls = _urls(entry.get("urls"), where)
    username, credential = entry.get("username"), entry.get("credential")
    if not all(value is None or isinstance(value, str) for value in (username, credential)):
        raise ValueError(f"{where}: `username` and `credential` must be strings")
    if any(url.startswith("turn") for url in urls) and (username is None or credential is None):
        raise ValueError(f"{where}: a TURN server needs `username` and `credential`")
    return {"urls": urls, "username": username, "credential": credential}


def parse_ice_servers(text: str) -> tuple[dict[str, Any], ...]:
    """`[{"urls": "stun:…"}, {"urls": ["turn:…"], "username": …, "credential": …}]`, checked;
    ValueError saying which entry is wrong."""
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"ICE servers: not JSON ({exc})") from exc
    if not isinstance(entries, list):
        raise ValueError("ICE servers: expected a JSON list of RTCIceServer objects")
    return tuple(_server(entry, f"ICE server {index}") for index, entry in enumerate(entries))
