"""User-edited letter bodies run in Jinja's immutable sandbox with plain data only, in a
worker process with limits, so that no template can tie up a web worker.

The limits, each answered with a message that names it:
- `range` gives at most MAX_RANGE numbers, and checks the time budget as a loop runs;
- `*` and `**` refuse results past the output size (`'x' * 1000000000`);
- the output is checked for size and time as it is generated;
- the render runs in a process of its own (`limits.run_limited`) with an address-space limit
  for what the caps do not foresee (a text doubled in a loop), a CPU limit, and a hard
  timeout after which the web worker ends it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from jinja2 import TemplateError, TemplateSyntaxError, Undefined, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from outreach.letters.limits import Stopped, run_limited

#: the most numbers one `range(...)` may give
MAX_RANGE = 10_000
#: the most characters a body may render to (and any text made by `*`)
MAX_OUTPUT = 2_000_000
#: seconds a render may run; the web worker ends the render process HARD_MARGIN seconds after
#: that at the latest (gunicorn's default worker timeout is 30 s)
TIME_LIMIT = 5.0
HARD_MARGIN = 3.0
#: bytes of address space a render may add to what the web worker holds
MEMORY_LIMIT = 512 * 1024 * 1024


class LimitExceeded(Exception):
    """A render went past one of the limits: `kind` is range, output, time or memory."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


_deadline = float("inf")


def _check_time() -> None:
    if time.monotonic() > _deadline:
        raise LimitExceeded("time")


class LimitedRange:
    """`range` for templates: at most MAX_RANGE numbers; a loop over it keeps to the time
    budget even when it writes nothing."""

    def __init__(self, *args: int) -> None:
        self._range = range(*args)
        if len(self._range) > MAX_RANGE:
            raise LimitExceeded("range")

    def __len__(self) -> int:
        return len(self._range)

    def __iter__(self) -> Iterator[int]:
        return _timed(self._range)

    def __reversed__(self) -> Iterator[int]:
        return _timed(reversed(self._range))

    def __getitem__(self, index: int) -> int:
        return self._range[index]

    def __contains__(self, number: object) -> bool:
        return number in self._range


def _timed(numbers: Any) -> Iterator[int]:
    for index, number in enumerate(numbers):
        if index % 64 == 0:
            _check_time()
        yield number


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with `*` and `**` bounded by the output size."""

    intercepted_binops = frozenset({"*", "**"})  # noqa: V107 - read by Jinja

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                size = _size(seq)
                if size is not None and isinstance(times, int) and size * times > MAX_OUTPUT:
                    raise LimitExceeded("output")
            if isinstance(left, int) and isinstance(right, int) and \
                    left.bit_length() + right.bit_length() > 64 * 1024:
                raise LimitExceeded("output")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and \
                abs(left) > 1 and right > 0 and right * max(left.bit_length(), 1) > 64 * 1024:
            raise LimitExceeded("output")
        return super().call_binop(context, operator, left, right)


ENVIRONMENT = LimitedSandbox(autoescape=True, undefined=Undefined)
ENVIRONMENT.globals["range"] = LimitedRange

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


def unknown_variables(source: str, data: dict[str, Any]) -> list[str]:
    """The variables a body uses that the letter data does not have, as written
    ("compnay.name", "company.nama"): a misspelt one prints nothing, so the editor names it.

    Jinja's AST gives the names the body reads without setting them
    (`meta.find_undeclared_variables`); each attribute or key chain starting at one of them is
    then followed through the data's dicts (a chain into a list or a text stops there)."""
    try:
        tree = ENVIRONMENT.parse(source)
    except TemplateSyntaxError:
        return []  # the syntax error is reported with its line instead
    read = meta.find_undeclared_variables(tree)
    unknown = {name for name in read if name not in data and name not in ENVIRONMENT.globals}
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        chain: list[str] = []
        inner: nodes.Node = node
        while isinstance(inner, nodes.Getattr | nodes.Getitem):
            if isinstance(inner, nodes.Getattr):
                chain.insert(0, inner.attr)
            elif isinstance(inner.arg, nodes.Const) and isinstance(inner.arg.value, str):
                chain.insert(0, inner.arg.value)
            else:
                chain = []  # an index or a computed key: nothing to check past it
            inner = inner.node
        if not (isinstance(inner, nodes.Name) and inner.name in read and inner.name in data):
            continue
        value: Any = data[inner.name]
        for depth, key in enumerate(chain):
            if not isinstance(value, dict):
                break
            if key.startswith("_"):
                break  # the sandbox refuses these anyway (rendered as nothing)
            if key not in value:
                unknown.add(".".join([inner.name, *chain[:depth + 1]]))
                break
            value = value[key]
    return sorted(unknown)


def render_body(source: str, data: dict[str, Any]) -> Markup:
    """Render a body with plain data in a worker process with limits; raise TemplateProblem
    on any failure, a limit reached included."""
    compile_body(source)  # syntax errors answer at once, with their line
    try:
        outcome = run_limited(_outcome, (source, data, TIME_LIMIT),
                              seconds=TIME_LIMIT + HARD_MARGIN, memory=MEMORY_LIMIT)
    except Stopped as stopped:
        outcome = ("limit", stopped.kind, None)
    if outcome[0] == "ok":
        # The sandbox autoescapes every value; its output is safe HTML by construction.
        return Markup(outcome[1])  # noqa: S704
    if outcome[0] == "limit":
        raise TemplateProblem(_limit_message(outcome[1], TIME_LIMIT), outcome[2])
    raise TemplateProblem(outcome[1], outcome[2])


def _limit_message(kind: str, seconds: float) -> str:
    if kind == "range":
        return _("range() may give at most %(n)s numbers in a letter template.",
                 n=f"{MAX_RANGE:,}".replace(",", "."))
    if kind == "output":
        return _("The template makes a text longer than the limit of %(mb)s million "
                 "characters for a letter.", mb=MAX_OUTPUT // 1_000_000)
    if kind == "time":
        return _("The template takes longer than the limit of %(s)s seconds to render.",
                 s=f"{seconds:g}")
    return _("The template needs more memory than a letter may use.")


def _outcome(source: str, data: dict[str, Any], seconds: float) -> tuple:
    """In the limited process: render within the time budget; the outcome as a value."""
    global _deadline
    _deadline = time.monotonic() + seconds
    try:
        return ("ok", _render_limited(source, data))
    except LimitExceeded as error:
        return ("limit", error.kind, _line_of(error))
    except MemoryError as error:
        return ("limit", "memory", _line_of(error))
    except TemplateProblem as problem:
        return ("problem", problem.message, problem.line)
    except TemplateError as error:
        return ("problem", str(error), _line_of(error))
    except (TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError,
            OverflowError, RecursionError) as error:
        return ("problem", str(error), _line_of(error))


def _render_limited(source: str, data: dict[str, Any]) -> str:
    """Render chunk by chunk, keeping to the output size and the time budget."""
    template = compile_body(source)
    chunks: list[str] = []
    length = 0
    for chunk in template.generate(**data):
        length += len(chunk)
        if length > MAX_OUTPUT:
            raise LimitExceeded("output")
        _check_time()
        chunks.append(chunk)
    return "".join(chunks)


def _line_of(error: BaseException) -> int | None:
    tb = error.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
