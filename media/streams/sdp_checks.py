"""Holding an SDP offer to what a WHIP or WHEP client sends, before aiortc reads it.

aiortc parses an offer on the event loop, without limits, and checks it with `assert`s: an
offer of 3,000 m-sections held the loop for 10 s, and a payload type of 9999, a negative port
or a garbage candidate ended in an unhandled error. So an offer is first held to a size, a few
media sections and lines, and the shape of each line aiortc would trip on.
"""

from __future__ import annotations

import itertools
import re

from media.streams.exceptions import OfferRejected

MAX_OFFER_BYTES = 64 * 1024
MAX_MEDIA_SECTIONS = 4  # a camera's video and audio, with room for a data channel
MAX_LINES = 1000  # a browser's audio and video offer has about 150
MAX_SSRC_LINES = 64  # per media section: aiortc matches each against all before it

_PORT = r"(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|\d{1,4})"
_MEDIA = re.compile(rf"m=(\S+) {_PORT}(?:/\d{{1,2}})? [A-Z/]+( \S+)+")
_CONNECTION = re.compile(r"IN IP[46] \S+")
_PAYLOAD_TYPE = re.compile(r"\d{1,3}")
_RTPMAP = re.compile(r"(\d{1,3}) [^\s/]+/\d{1,9}(?:/\d{1,2})?")
_CANDIDATE = re.compile(
    # RFC 8839 5.1, then name-value pairs (raddr, rport, generation): one way to match each
    rf"\S+ \d{{1,3}} [A-Za-z]+ \d{{1,10}} \S+ {_PORT} typ (?:host|srflx|prflx|relay)(?: \S+ \S+)*"
)
_RTCP = re.compile(rf"{_PORT}(?: IN IP[46] \S+)?")
# RTP payload types are 7 bits; 72-76 would be mistaken for RTCP (RFC 5761 4).
_FORBIDDEN_PAYLOAD_TYPES = range(72, 77)


def check_offer(offer: str) -> None:
    """OfferRejected, naming the first problem, unless the offer is within the limits and
    every line aiortc relies on has its expected shape."""
    if len(offer.encode()) > MAX_OFFER_BYTES:
        raise OfferRejected(f"the offer is larger than {MAX_OFFER_BYTES // 1024} KiB")
    lines = offer.splitlines()
    if len(lines) > MAX_LINES:
        raise OfferRejected(f"the offer has more than {MAX_LINES} lines")
    sections = [i for i, line in enumerate(lines) if line.startswith("m=")]
    if len(sections) > MAX_MEDIA_SECTIONS:
        raise OfferRejected(f"the offer has more than {MAX_MEDIA_SECTIONS} media sections")
    for start, end in itertools.pairwise([*sections, len(lines)]):
        _check_section(lines[start:end])
    for line in lines[: sections[0] if sections else len(lines)]:
        if line.startswith("c="):
            _check(_CONNECTION, line[2:], line)


def _check(pattern: re.Pattern[str], text: str, line: str) -> None:
    if pattern.fullmatch(text) is None:
        raise OfferRejected(f"malformed line {line[:80]!r}")


def _payload_type(text: str, line: str) -> int:
    number = int(text) if _PAYLOAD_TYPE.fullmatch(text) else -1
    if not 0 <= number <= 127 or number in _FORBIDDEN_PAYLOAD_TYPES:
        raise OfferRejected(f"{text[:10]!r} is not an RTP payload type in line {line[:80]!r}")
    return number


def _check_section(lines: list[str]) -> None:
    media = lines[0]
    _check(_MEDIA, media, media)
    fields = media[2:].split()
    rtp = fields[0] in ("audio", "video")  # the other kind, application, is a data channel
    if rtp:
        for text in fields[3:]:
            _payload_type(text, media)
    mapped: set[int] = set()
    ssrc_lines = 0
    for line in lines[1:]:
        name, _, value = line[2:].partition(":")
        if line.startswith("c="):
            _check(_CONNECTION, line[2:], line)
        elif not line.startswith("a="):
            continue
        elif name == "candidate":
            _check(_CANDIDATE, value, line)
        elif name == "rtcp":
            _check(_RTCP, value, line)
        elif name == "ssrc":
            ssrc_lines += 1
            if ssrc_lines > MAX_SSRC_LINES:
                raise OfferRejected(f"a media section has more than {MAX_SSRC_LINES} ssrc lines")
        elif name == "rtpmap" and rtp:
            _check(_RTPMAP, value, line)
            mapped.add(_payload_type(value.split()[0], line))
    for line in lines[1:]:
        name, _, value = line[2:].partition(":")
        fmtp = rtp and line.startswith("a=") and name == "fmtp"
        if fmtp and _payload_type(value.split(" ")[0], line) not in mapped:
            raise OfferRejected(f"line {line[:80]!r} names a payload type with no rtpmap")
