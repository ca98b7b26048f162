"""Pages for print: the app's print templates to HTML, HTML to PDF with WeasyPrint (one font
configuration per process, a deny-all fetcher).

Services render printed pages only through `render_page` and `page_pdf`, so that no service
reaches for Flask's template machinery itself.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from flask import render_template
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from outreach.letters.fetcher import AssetFetcher

STYLESHEET = Path(__file__).parent / "letter.css"


@lru_cache(maxsize=1)
def font_config() -> FontConfiguration:
    """The process's one FontConfiguration (a new one per letter makes memory grow)."""
    return FontConfiguration()


@lru_cache(maxsize=1)
def stylesheet() -> CSS:
    """The letter stylesheet, parsed once, passed as a CSS object (never fetched)."""
    return CSS(string=STYLESHEET.read_text(encoding="utf-8"), font_config=font_config(),
               url_fetcher=AssetFetcher())


def html_to_pdf(html: str) -> bytes:
    """Render a letter's HTML to PDF bytes."""
    document = HTML(string=html, url_fetcher=AssetFetcher(), base_url=None)
    return document.write_pdf(stylesheets=[stylesheet()], font_config=font_config())


def render_page(template_name: str, **context: Any) -> str:
    """The HTML of one of the app's print templates (`templates/letters/…`, `reports/…`)."""
    return render_template(template_name, **context)


def page_pdf(template_name: str, **context: Any) -> bytes:
    """One of the app's print templates rendered to PDF."""
    return html_to_pdf(render_page(template_name, **context))


def qr_svg(url: str) -> Markup:
    """A QR code of `url` as inline SVG."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=2, border=1, xmldecl=False,
                                    svgns=True, nl=False)
    return Markup(buffer.getvalue().decode())  # noqa: S704 - SVG made by segno, no user markup


def pdf_text(data: bytes) -> str:
    """The text of a PDF (for checks and tests)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
