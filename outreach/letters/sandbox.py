"""User-edited letter bodies run in Jinja's immutable sandbox with plain data only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

ENVIRONMENT = ImmutableSandboxedEnvironment(autoescape=True, undefined=Undefined)

_UNITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan",
          "sembilan", "sepuluh", "sebelas"]
_SCALES = [(10**12, "triliun"), (10**9, "miliar"), (10**6, "juta")]


def spell(number: int) -> str:
    """An integer in Indonesian words: 14 → "empat belas", 1000 → "seribu"."""
    if number < 0:
        return f"minus {spell(-number)}"
    if number < 12:
        return _UNITS[number]
    if number < 20:
        return f"{_UNITS[number - 10]} belas"
    if number < 100:
        tens, rest = divmod(number, 10)
        return f"{_UNITS[tens]} puluh" + (f" {_UNITS[rest]}" if rest else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        head = "seratus" if hundreds == 1 else f"{_UNITS[hundreds]} ratus"
        return head + (f" {spell(rest)}" if rest else "")
    if number < 10**6:
        thousands, rest = divmod(number, 1000)
        head = "seribu" if thousands == 1 else f"{spell(thousands)} ribu"
        return head + (f" {spell(rest)}" if rest else "")
    for scale, word in _SCALES:
        if number >= scale:
            head, rest = divmod(number, scale)
            return f"{spell(head)} {word}" + (f" {spell(rest)}" if rest else "")
    raise ValueError(number)  # pragma: no cover - the scales end at 10**12


def terbilang(value: Any) -> str:
    """A figure followed by its words, as official letters write it: "14 (empat belas)",
    "1.000 (seribu)". A value that is not a whole number is returned as it is."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    if number != value and str(number) != str(value).strip():
        return str(value)
    return f"{number:,}".replace(",", ".") + f" ({spell(number)})"


def enumerate_id(items: Any) -> str:
    """A list joined the Indonesian way: "A", "A dan B", "A, B, dan C"."""
    parts = [str(item) for item in items or [] if str(item)]
    if len(parts) < 3:
        return " dan ".join(parts)
    return ", ".join(parts[:-1]) + ", dan " + parts[-1]


ENVIRONMENT.filters["terbilang"] = terbilang
ENVIRONMENT.filters["daftar"] = enumerate_id


@dataclass
class TemplateProblem(Exception):
    """A template that does not compile or render, with the line it fails on."""

    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def compile_body(source: str):
    """Compile a body template or raise TemplateProblem with the line."""
    try:
        return ENVIRONMENT.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(error.message or str(error), error.lineno) from error


def render_body(source: str, data: dict[str, Any]) -> Markup:
    """Render a body with plain data; raise TemplateProblem on any failure."""
    template = compile_body(source)
    try:
        # The sandbox autoescapes every value; its output is safe HTML by construction.
        return Markup(template.render(**data))  # noqa: S704
    except TemplateError as error:
        raise TemplateProblem(str(error), _line_of(error)) from error
    except (TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError) as error:
        raise TemplateProblem(str(error), _line_of(error)) from error


def _line_of(error: BaseException) -> int | None:
    tb = error.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
