"""Security headers on every response."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def policy_with_tiles(tiles_url: str) -> str:
    """The policy, with the maps' tile server (a URL template) allowed as an image source."""
    parts = urlsplit(tiles_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return CONTENT_SECURITY_POLICY
    # "{s}.tile.example.id": Leaflet's subdomains, one wildcard level
    host = parts.netloc.replace("{s}.", "*.")
    return CONTENT_SECURITY_POLICY.replace("img-src 'self' data:",
                                           f"img-src 'self' data: {parts.scheme}://{host}")


def set_security_headers(response: Response) -> Response:
    """Forbid framing, sniffing and inline scripts; keep referrers inside the app."""
    response.headers.setdefault("Content-Security-Policy",
                                current_app.config.get("CONTENT_SECURITY_POLICY",
                                                       CONTENT_SECURITY_POLICY))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    hsts = current_app.config.get("HSTS")
    if hsts:  # production only: browsers then refuse plain HTTP to this host for a year
        response.headers.setdefault("Strict-Transport-Security", hsts)
    return response


def init_app(app: Flask) -> None:
    """Install the after-request hook."""
    app.config["CONTENT_SECURITY_POLICY"] = policy_with_tiles(app.config.get("MAP_TILES", ""))
    app.after_request(set_security_headers)
