"""User-edited letter bodies run in Jinja's immutable sandbox with plain data only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

ENVIRONMENT = ImmutableSandboxedEnvironment(autoescape=True, undefined=Undefined)


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
