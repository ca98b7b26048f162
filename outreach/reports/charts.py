"""Charts as server-side SVG: readable, labelled, printable, and clickable in the browser.

Each function returns the markup of one `<svg>` with a `viewBox` (it scales to its container),
a `<title>` for screen readers, a text label and value on every bar, and a `<title>` tooltip per
bar. Colours are SVG presentation attributes (the CSP forbids `style=`); no scripts. Every label
is escaped. The same markup goes into the pages and, without links, into WeasyPrint's PDFs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

#: Bootstrap's green, grey, amber, red and blue: they stay apart when printed in grey
PALETTE = ("#198754", "#6c757d", "#e0a800", "#b02a37", "#0d6efd")
TEXT = "#212529"
MUTED = "#6c757d"
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
_ids = itertools.count(1)


@dataclass
class Bar:
    """One bar: its label, its value(s) (one per series) and where a click leads."""

    label: str
    values: Sequence[float]
    hrefs: Sequence[str | None] = field(default_factory=tuple)

    def href(self, index: int) -> str | None:
        return self.hrefs[index] if index < len(self.hrefs) else None


def _fmt_default(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _linked(inner: str, href: str | None, links: bool, name: str) -> str:
    if not (href and links):
        return inner
    return f'<a href="{escape(href)}" aria-label="{escape(name)}">{inner}</a>'


def _open(width: int, height: int, title: str, interactive: bool) -> tuple[str, str]:
    # A chart with links is a group of links (an "img" may not hold focusable parts).
    chart_id = f"chart-{next(_ids)}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" '
            f'viewBox="0 0 {width} {height}" role="{"group" if interactive else "img"}" '
            f'aria-labelledby="{chart_id}-t"><title id="{chart_id}-t">{escape(title)}</title>')
    return head, "</svg>"


def _interactive(bars: Sequence[Bar], links: bool) -> bool:
    return links and any(href for bar in bars for href in bar.hrefs)


def _legend(series: Sequence[str], x: int, y: int) -> str:
    parts = []
    for index, name in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{y}" font-size="11" fill="{TEXT}" {FONT}>'
                     f'{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return "".join(parts)


def bar_chart(bars: Sequence[Bar], *, title: str, series: Sequence[str] = (),
              fmt: Callable[[float], str] = _fmt_default, links: bool = True,
              empty: str = "–", label_width: int = 210) -> Markup:
    """Horizontal bars, one row per label and one bar per series (grouped)."""
    n_series = max((len(b.values) for b in bars), default=1) or 1
    row = 8 + 16 * n_series
    legend = 22 if len(series) > 1 else 0
    width, plot_x, plot_right = 640, label_width, 560
    height = legend + max(len(bars), 1) * row + 6
    head, tail = _open(width, height, title, _interactive(bars, links))
    parts = [head]
    if len(series) > 1:
        parts.append(_legend(series, plot_x, 14))
    peak = max((v for b in bars for v in b.values), default=0) or 1
    if not bars:
        parts.append(f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" '
                     f'font-size="12" fill="{MUTED}" {FONT}>{escape(empty)}</text>')
    for index, bar in enumerate(bars):
        top = legend + index * row + 4
        label = escape(_short(bar.label, 32))
        parts.append(f'<text x="{plot_x - 6}" y="{top + row / 2 + 2}" text-anchor="end" '
                     f'font-size="11" fill="{TEXT}" {FONT}>{label}'
                     f'<title>{escape(bar.label)}</title></text>')
        for s, value in enumerate(bar.values):
            y = top + s * 16
            length = max((plot_right - plot_x) * value / peak, 0)
            colour = PALETTE[s % len(PALETTE)]
            name = f"{series[s]}: " if s < len(series) and len(series) > 1 else ""
            tip = f"{bar.label} – {name}{fmt(value)}"
            rect = (f'<rect x="{plot_x}" y="{y}" width="{length:.1f}" height="13" '
                    f'fill="{colour}"><title>{escape(tip)}</title></rect>'
                    f'<text x="{plot_x + length + 4:.1f}" y="{y + 11}" font-size="11" '
                    f'fill="{TEXT}" {FONT}>{escape(fmt(value))}</text>')
            parts.append(_linked(rect, bar.href(s), links, tip))
    parts.append(tail)
    return Markup("".join(parts))  # noqa: S704 - every label above is escaped


def column_chart(bars: Sequence[Bar], *, title: str, fmt: Callable[[float], str] = _fmt_default,
                 links: bool = True, label_every: int = 1, empty: str = "–",
                 value_every: int = 1, goal: tuple[float, str] | None = None) -> Markup:
    """Vertical columns (one series), e.g. one per week; every `label_every`-th is labelled,
    every `value_every`-th (and the last) shows its value. `goal` (value, label) draws a dashed
    line the columns rise toward, e.g. a target."""
    width, height, left, bottom, top = 640, 220, 36, 40, 18
    head, tail = _open(width, height, title, _interactive(bars, links))
    parts = [head]
    count = max(len(bars), 1)
    slot = (width - left - 8) / count
    peak = max([b.values[0] for b in bars if b.values] + [goal[0] if goal else 0]) or 1
    base_y = height - bottom
    parts.append(f'<line x1="{left}" y1="{base_y}" x2="{width - 8}" y2="{base_y}" '
                 f'stroke="{MUTED}" stroke-width="1"/>')
    if goal is not None:
        goal_y = base_y - (base_y - top) * goal[0] / peak
        parts.append(f'<line x1="{left}" y1="{goal_y:.1f}" x2="{width - 8}" y2="{goal_y:.1f}" '
                     f'stroke="{PALETTE[3]}" stroke-width="1" stroke-dasharray="4 3"/>'
                     f'<text x="{left + 2}" y="{goal_y - 3:.1f}" font-size="10" '
                     f'fill="{PALETTE[3]}" {FONT}>{escape(goal[1])}</text>')
    if not bars:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
                     f'font-size="12" fill="{MUTED}" {FONT}>{escape(empty)}</text>')
    for index, bar in enumerate(bars):
        value = bar.values[0] if bar.values else 0
        x = left + index * slot
        bar_height = (base_y - top) * value / peak
        tip = f"{bar.label}: {fmt(value)}"
        column = (f'<rect x="{x + slot * 0.15:.1f}" y="{base_y - bar_height:.1f}" '
                  f'width="{slot * 0.7:.1f}" height="{bar_height:.1f}" fill="{PALETTE[0]}">'
                  f'<title>{escape(tip)}</title></rect>')
        if value and (index % value_every == 0 or index == len(bars) - 1):
            column += (f'<text x="{x + slot / 2:.1f}" y="{base_y - bar_height - 3:.1f}" '
                       f'text-anchor="middle" font-size="11" fill="{TEXT}" {FONT}>'
                       f'{escape(fmt(value))}</text>')
        parts.append(_linked(column, bar.href(0), links, tip))
        if index % label_every == 0:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{base_y + 14}" text-anchor="middle" '
                         f'font-size="11" fill="{TEXT}" {FONT}>{escape(_short(bar.label, 14))}'
                         f'</text>')
    parts.append(tail)
    return Markup("".join(parts))  # noqa: S704 - every label above is escaped
