"""The charts of the dashboard, the regional comparison and the monthly report, assembled from
their figures as SVG markup (drawn by `outreach.reports.charts`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

from outreach.core.formatting import number
from outreach.core.labels import label
from outreach.reports.charts import Bar, bar_chart, column_chart
from outreach.reports.comparison import BranchRow
from outreach.reports.dashboard import Bucket, Cell, Dashboard


def dashboard_charts(d: Dashboard, *, links: bool = True,
                     href: Callable[[dict[str, Any]], str] | None = None) -> dict[str, Any]:
    """The dashboard's charts as SVG markup (`href` turns a cell's filters into a link)."""
    def url(cell: Cell) -> str | None:
        return href(cell.params) if href else None

    stages = [Bar(label(s, "rung") or _("Not started"), [c.value], [url(c)])
              for s, c in d.stage_totals.items()]
    aging = [Bar(_bucket_label(b), [b.cell.value], [url(b.cell)]) for b in d.aging]
    funnel = [Bar(label(r.code, "rung"), [r.reached.value, r.complied.value],
                  [url(r.reached), url(r.complied)]) for r in d.funnel]
    locale = str(get_locale() or "id")
    weeks = [Bar(format_date(w.start, "d MMM", locale=locale), [w.cell.value], [url(w.cell)])
             for w in d.weeks]
    officers = [Bar(r.name or _("Nobody assigned"), [r.cell.value], [url(r.cell)])
                for r in d.officer_table()[0]]
    sectors = [Bar(r.name or _("Not recorded"), [r.workers_missing.value],
                   [url(r.workers_missing)]) for r in d.by_sector[:12]]
    nothing = _("Nothing to show yet.")
    return {
        "stages": bar_chart(stages, title=_("Open cases by stage"), fmt=number, links=links,
                            empty=nothing),
        "aging": bar_chart(aging, title=_("Open cases by days open"), fmt=number, links=links,
                           empty=nothing, label_width=120),
        "funnel": bar_chart(funnel, title=_("Ladder funnel"), fmt=number, links=links,
                            series=[_("Reached the step"), _("Complied after it")],
                            empty=nothing),
        "weeks": column_chart(weeks, title=_("Compliance won per week"), fmt=number,
                              links=links, label_every=4, empty=nothing),
        "officers": bar_chart(officers, title=_("Overdue next steps by officer"), fmt=number,
                              links=links, empty=nothing),
        "sectors": bar_chart(sectors, title=_("Workers not enrolled by sector"), fmt=number,
                             links=links, empty=nothing),
    }


def _bucket_label(bucket: Bucket) -> str:
    if bucket.high is None:
        return _("over %(days)d days", days=bucket.low - 1)
    return _("%(low)d–%(high)d days", low=bucket.low, high=bucket.high)


def comparison_chart(rows: list[BranchRow], *, links: bool = True,
                     href: Callable[[dict[str, Any]], str] | None = None):
    """Open cases and compliance won per branch, side by side."""
    bars = [Bar(row.name, [row.open_cases.value, row.won.value],
                [href(row.open_cases.params) if href else None,
                 href(row.won.params) if href else None]) for row in rows]
    return bar_chart(bars, title=_("Branches side by side"), fmt=number, links=links,
                     series=[_("Open cases"), _("Compliance won (6 months)")],
                     empty=_("Nothing to show yet."))
