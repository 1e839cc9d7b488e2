"""Whether a browser reached us over HTTPS, so that its session cookie is marked `Secure`.

Behind a TLS-terminating proxy (Caddy, nginx) the connection to us is plain HTTP: only the
proxy's `X-Forwarded-Proto` says the browser used HTTPS. Any client can send that header, so
it is believed only from the proxies named in `STEPWISE_TRUSTED_PROXIES`.
"""

from __future__ import annotations

from ipaddress import ip_address

from server.config import Settings


def _trusted(settings: Settings, peer: str | None) -> bool:
    if not settings.trusted_proxies or peer is None:
        return False
    try:
        address = ip_address(peer)
    except ValueError:
        return False  # a Unix socket: no address to trust
    return any(address in network for network in settings.trusted_proxies)


def browser_uses_https(
    settings: Settings, *, tls: bool, peer: str | None, forwarded_proto: str | None
) -> bool:
    """HTTPS to us (`tls`), HTTPS to a trusted proxy in front of us, or Secure forced."""
    if settings.secure_cookies or tls:
        return True
    first = (forwarded_proto or "").split(",")[0].strip().lower()
    return first == "https" and _trusted(settings, peer)
