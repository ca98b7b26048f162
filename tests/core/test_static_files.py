"""Static files on a slow link: versioned URLs kept by the browser, sent compressed."""

from __future__ import annotations

import gzip
import re


def test_static_files_are_versioned_cached_and_compressed(client):
    """Do the layout's CSS and JavaScript URLs carry a version, is a versioned file kept a
    year, compressed, and an unversioned one checked again?"""
    page = client.get("/auth/login").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/(?:bootstrap/)?static/[^"]+)"', page)
    assert len(urls) >= 5 and all(re.search(r"\?v=[0-9a-f]{10}$", url) for url in urls)
    script = next(url for url in urls if "/static/field.js" in url)
    response = client.get(script, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"data-keep-draft" in gzip.decompress(response.data)
    unversioned = client.get("/static/field.js")
    unversioned.close()
    assert "no-cache" in unversioned.headers["Cache-Control"]
