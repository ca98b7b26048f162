"""Who is in a year's socialisation scope, what counts as reaching a company, and the pace
toward the target: pure questions answered from data.

The scope rule (there is no history of a company's figures, so it uses what the data has):
a company of the branch is in the year's scope when it was added during the year, or when it
was known before 1 January and either had a case open on 1 January (a case is an episode of
non-compliance, so the company was not compliant that day) or is not fully compliant by its
present figures (`companies.rules.MANDATORY` programs missing, workers not registered —
`Company.workers_missing` — or a case still open). Companies added after the year are out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, or_

from outreach.cases.models import Delivery, Step
from outreach.companies.models import BusinessSize
from outreach.companies.rules import MANDATORY

#: visits reach a company whatever their outcome: someone of the branch was there
VISIT_KINDS = ("visit", "joint_visit")
#: a call reaches a company unless nobody answered
CALL_KIND = "phone_call"
UNANSWERED = ("unreachable", "no_response")


def compliant_now(workers_missing: int, business_size: str, programs: str,
                  open_case_status: str) -> bool:
    """Whether a company is fully compliant by its present figures."""
    taken = {p for p in programs.split(",") if p}
    mandatory = MANDATORY.get(business_size, MANDATORY[BusinessSize.SMALL])
    return workers_missing == 0 and set(mandatory) <= taken and not open_case_status


def in_scope(year: int, added_on: date, open_on_january_1: bool, compliant: bool) -> bool:
    """Whether a company belongs to the year's socialisation scope (the module's rule)."""
    if added_on > date(year, 12, 31):
        return False
    if added_on >= date(year, 1, 1):
        return True
    return open_on_january_1 or not compliant


def reaching_step_sql(start: date, end: date) -> ColumnElement[bool]:
    """SQL: the step reached its company between `start` and `end`: a letter delivered, a
    visit, a call answered (the same as `step_reaches`)."""
    return or_(
        and_(Step.delivery_status == Delivery.DELIVERED, Step.delivered_on >= start,
             Step.delivered_on <= end),
        and_(Step.kind.in_(VISIT_KINDS), Step.occurred_on >= start, Step.occurred_on <= end),
        and_(Step.kind == CALL_KIND, Step.outcome.notin_(UNANSWERED),
             Step.occurred_on >= start, Step.occurred_on <= end))


def step_reaches(kind: str, outcome: str, delivery_status: str) -> bool:
    """Whether a step reaches its company (the same as `reaching_step_sql`, without dates)."""
    if delivery_status == Delivery.DELIVERED:
        return True
    if kind in VISIT_KINDS:
        return True
    return kind == CALL_KIND and outcome not in UNANSWERED


def reach_day(delivery_status: str, delivered_on: date | None, occurred_on: date) -> date:
    """The day a reaching step reached its company: a letter's delivery, else the step."""
    if delivery_status == Delivery.DELIVERED and delivered_on is not None:
        return delivered_on
    return occurred_on


def percent(part: int, whole: int) -> float:
    """`part` of `whole` in percent, one decimal (0 of nothing is 0)."""
    return round(100 * part / whole, 1) if whole else 0.0


@dataclass(frozen=True)
class Week:
    """One week of the progress chart: its first day and the companies reached by its end."""

    starts_on: date
    reached: int


def weekly(first_reached: Sequence[date], year: int, as_of: date) -> list[Week]:
    """Companies reached (cumulative) at the end of each week of the year from 1 January up to
    `as_of` (weeks of seven days from 1 January)."""
    start, end = date(year, 1, 1), min(as_of, date(year, 12, 31))
    days = sorted(first_reached)
    weeks, index, day = [], 0, start
    while day <= end:
        week_end = day + timedelta(days=6)
        while index < len(days) and days[index] <= week_end:
            index += 1
        weeks.append(Week(day, index))
        day += timedelta(days=7)
    return weeks


def target_day(first_reached: Sequence[date], target: int, year: int,
               as_of: date) -> date | None:
    """The day the target is (or was) reached: the day of the target-th company if reached,
    else the day it will be at the pace since 1 January (None with no target or no pace)."""
    if target <= 0:
        return None
    days = sorted(first_reached)
    if len(days) >= target:
        return days[target - 1]
    if not days:
        return None
    start = date(year, 1, 1)
    as_of = min(max(as_of, start), date(year, 12, 31))
    elapsed = (as_of - start).days + 1
    per_day = len(days) / elapsed
    return as_of + timedelta(days=math.ceil((target - len(days)) / per_day))
