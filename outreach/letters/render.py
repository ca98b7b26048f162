"""Pages for print: the app's print templates to HTML, HTML to PDF with WeasyPrint (one font
configuration per process, a deny-all fetcher).

Services render printed pages only through `render_page` and `page_pdf`, so that no service
reaches for Flask's template machinery itself. A letter, whose body is a supervisor's template,
is printed through `letter_pdf`: in a process of its own with time and memory limits.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from flask import render_template
from flask_babel import gettext as _
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from outreach.core.errors import ServiceError
from outreach.letters.fetcher import AssetFetcher
from outreach.letters.limits import Stopped, run_limited

STYLESHEET = Path(__file__).parent / "letter.css"
#: seconds and bytes (added to the web worker's) one letter's PDF may take
PDF_TIME_LIMIT = 20
PDF_MEMORY_LIMIT = 1024 * 1024 * 1024


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


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, record.getMessage()))


def _pdf_outcome(html: str) -> tuple[str, bytes | str, list[tuple[int, str]]]:
    """In the limited process: the PDF, and WeasyPrint's log lines (the refused URLs) for the
    web worker to log."""
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    logger.handlers, logger.propagate = [collector], False
    try:
        return ("ok", html_to_pdf(html), collector.lines)
    except MemoryError:
        return ("memory", "", collector.lines)
    except Exception as error:  # noqa: BLE001 - the parent raises it with its text
        return ("error", f"{type(error).__name__}: {error}", collector.lines)


def letter_pdf(html: str) -> bytes:
    """A letter's PDF rendered in a process of its own with limits (its body is a
    supervisor's template: a long or heavy one must not hold the web worker), or a
    ServiceError that says the letter is too long to print."""
    try:
        kind, value, lines = run_limited(_pdf_outcome, (html,), seconds=PDF_TIME_LIMIT,
                                         memory=PDF_MEMORY_LIMIT)
    except Stopped:
        kind, value, lines = "time", "", []
    for level, line in lines:
        logging.getLogger("weasyprint").log(level, "%s", line)
    if kind == "ok":
        return value
    if kind == "error":
        raise RuntimeError(value)
    raise ServiceError(_("The letter takes longer than %(s)d seconds or more memory than a "
                         "letter may use to print. Shorten its template.",
                         s=PDF_TIME_LIMIT))


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
