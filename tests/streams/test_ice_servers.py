"""STUN/TURN servers from `STEPWISE_ICE_SERVERS`, checked when read, handed to every peer."""

from __future__ import annotations

import json

import pytest

from media.streams.ice import parse_ice_servers
from media.streams.webrtc import PeerSettings
from server.config import settings_from_env

SERVERS = [
    {"urls": "stun:stun.example.org:3478"},
    {"urls": ["turn:turn.example.org:3478?transport=udp"], "username": "u", "credential": "p"},
]


def test_ice_servers_come_from_the_environment_and_reach_the_peers() -> None:
    settings = settings_from_env({"STEPWISE_ICE_SERVERS": json.dumps(SERVERS)})
    assert settings.ice_servers == (
        {"urls": ["stun:stun.example.org:3478"], "username": None, "credential": None},
        {"urls": SERVERS[1]["urls"], "username": "u", "credential": "p"},
    )
    configuration = PeerSettings(settings.ice_servers).configuration()
    assert [(s.urls, s.username, s.credential) for s in configuration.iceServers] == [
        (["stun:stun.example.org:3478"], None, None),
        (SERVERS[1]["urls"], "u", "p"),
    ]
    assert settings_from_env({}).ice_servers == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("stun:x", "not JSON"),
        ('{"urls": "stun:x"}', "expected a JSON list"),
        ('["stun:x"]', "ICE server 0: expected an object"),
        ('[{"urls": "http://x"}]', "ICE server 0: 'http://x' is not a stun:"),
        ('[{"urls": []}]', "ICE server 0: `urls` must be"),
        ('[{"urls": "stun:x"}, {"urls": "turn:y"}]', "ICE server 1: a TURN server needs"),
        ('[{"urls": "stun:x", "password": "p"}]', "unknown field(s) password"),
    ],
)
def test_a_wrong_ice_server_list_is_refused_saying_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_ice_servers(text)
    assert problem in str(refused.value)
