"""The only way WeasyPrint may load a resource: the app's own bundled assets.

WeasyPrint's default fetcher follows `file:` and `http(s):` URLs and even embeds any local file
named by `<link rel=attachment>`. A letter template is edited by users, so every URL is refused
except `asset:<name>` for files shipped in `outreach/letters/assets/`.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

ASSET_DIR = Path(__file__).parent / "assets"
ASSET_SCHEME = "asset:"
logger = logging.getLogger("outreach.letters")


def _assets() -> dict[str, Path]:
    return {path.name: path for path in ASSET_DIR.iterdir() if path.is_file()}


class AssetFetcher(URLFetcher):
    """Serves `asset:<name>` from the bundled assets; refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("asset",), allow_redirects=False)
        self.assets = _assets()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """The bundled asset for `asset:` URLs; an error (logged) for anything else."""
        if url.startswith(ASSET_SCHEME):
            name = url[len(ASSET_SCHEME):].lstrip("/")
            path = self.assets.get(name)
            if path is not None:
                content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(),
                                          {"Content-Type": content_type}, 200)
        logger.warning("refused to fetch %r while rendering a letter", url[:200])
        raise URLFetchingError(f"refused: {url[:200]}")
