"""The days-off page: this year and next, working days of the branch, collective leave added
by hand, and the warning of a year without collective leave."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from outreach.calendar import service
from outreach.calendar.models import BranchHoliday, DayKind
from outreach.calendar.rules import WorkingCalendar
from outreach.core.audit import AuditEvent
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.org.models import Role
from tests.conftest import login, post

PAGE = "/settings/holidays"


@pytest.fixture
def branch(make_branch):
    return make_branch()


@pytest.fixture
def supervisor(make_user, branch):
    return make_user(Role.SUPERVISOR, branch=branch)


def days_of(html: str, year: int) -> dict[str, str]:
    """The days listed in a year's section of the page: ISO date -> kind."""
    section = html.split(f'id="year-{year}"', 1)[1].split("</section>", 1)[0]
    return dict(re.findall(r'data-day="([\d-]+)" data-kind="([a-z ]+)"', section))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "branch_holiday").order_by(AuditEvent.id)))


def at(day: str):
    return time_machine.travel(f"{day} 09:00 +0700", tick=False)


def page_on(client, user, day: str, url: str = PAGE) -> str:
    """The page as `user` sees it on `day` (signed in on that day)."""
    with at(day):
        login(client, user)
        return client.get(url).get_data(as_text=True)


def test_page_lists_this_year_and_next_by_kind(client, supervisor):
    """Does the page show this year's and next year's holidays, collective leave and the
    branch's own days, each labelled by its kind?"""
    service.add_holiday(supervisor, date(2027, 4, 1), "Hari jadi kota")
    db.session.commit()
    html = page_on(client, supervisor, "2026-12-01")
    this_year, next_year = days_of(html, 2026), days_of(html, 2027)
    assert this_year["2026-12-25"] == "national"      # Hari Raya Natal
    assert this_year["2026-12-24"] == "collective"    # Cuti Bersama Hari Raya Natal
    assert next_year["2027-03-09"] == "collective"    # Cuti Bersama Idul Fitri 2027
    assert next_year["2027-08-17"] == "national"
    assert next_year["2027-04-01"] == "own"
    assert "Cuti bersama" in html and "Hari Raya Natal" in html
    assert 'id="collective-leave-warning"' not in html  # 2026 and 2027 both known


def test_a_national_day_made_a_working_day_moves_the_window_and_can_be_undone(
        client, branch, supervisor):
    """When a supervisor makes the collective leave of 23 March 2026 a working day (a decree
    moved it), does a 10-working-day window end a day earlier, and does undoing it restore
    the day off, both in the audit trail?"""
    login(client, supervisor)
    response = post(client, f"{PAGE}/working", {"working_day": "2026-03-23",
                                                "reason": "SKB 3 Menteri 2026 (perubahan)"})
    assert response.status_code == 302
    calendar = WorkingCalendar.for_branch(branch.id)
    assert calendar.is_working_day(date(2026, 3, 23))
    assert calendar.add_working_days(date(2026, 3, 17), 10) == date(2026, 4, 7)
    page = page_on(client, supervisor, "2026-03-01")
    assert days_of(page, 2026)["2026-03-23"] == "collective working"
    assert "SKB 3 Menteri 2026 (perubahan)" in page

    row = db.session.scalars(select(BranchHoliday)).one()
    login(client, supervisor)  # today, not on the day the page was seen
    assert post(client, f"{PAGE}/{row.id}/delete").status_code == 302
    calendar = WorkingCalendar.for_branch(branch.id)
    assert not calendar.is_working_day(date(2026, 3, 23))
    assert calendar.add_working_days(date(2026, 3, 17), 10) == date(2026, 4, 8)
    assert audit_actions() == ["holiday.working_day", "holiday.remove"]


def test_collective_leave_added_by_hand_counts(client, branch, supervisor):
    """Collective leave a supervisor adds for a year the package does not know is a day off,
    listed as collective leave with its source."""
    login(client, supervisor)
    response = post(client, PAGE, {"kind": "collective", "day": "2028-01-31",
                                   "name": "Cuti Bersama Tahun Baru Imlek",
                                   "source": "SKB 3 Menteri 2028"}, follow_redirects=True)
    assert response.status_code == 200
    calendar = WorkingCalendar.for_branch(branch.id)
    assert not calendar.is_working_day(date(2028, 1, 31))
    assert calendar.add_working_days(date(2028, 1, 28), 1) == date(2028, 2, 1)
    row = db.session.scalars(select(BranchHoliday)).one()
    assert (row.kind, row.source) == (DayKind.COLLECTIVE, "SKB 3 Menteri 2028")
    assert audit_actions() == ["holiday.collective_add"]
    page = page_on(client, supervisor, "2027-12-01")
    assert days_of(page, 2028)["2028-01-31"] == "collective"


def test_warning_of_a_year_without_collective_leave_until_one_is_added(
        client, branch, supervisor):
    """In June 2027 the next twelve months reach 2028, for which the package knows no
    collective leave: does the supervisor see the warning on the days-off page and the
    dashboard, and does it go once collective leave for 2028 is added?"""
    with at("2027-06-01"):
        login(client, supervisor)
        for url in (PAGE, "/dashboard/"):
            html = client.get(url).get_data(as_text=True)
            warning = html.split('id="collective-leave-warning"', 1)[1].split("</div>", 1)[0]
            assert "2028" in warning and "2027" not in warning, url
        service.add_holiday(supervisor, date(2028, 1, 31), "Cuti Bersama Tahun Baru Imlek",
                            kind=DayKind.COLLECTIVE, source="SKB 3 Menteri 2028")
        db.session.commit()
        for url in (PAGE, "/dashboard/"):
            assert 'id="collective-leave-warning"' not in client.get(url).get_data(as_text=True)
    assert service.years_without_collective_leave(branch.id, date(2027, 6, 1)) == []
    assert service.years_without_collective_leave(branch.id, date(2026, 12, 1)) == []


def test_a_year_of_own_days_off_only_still_warns(branch, supervisor):
    """A branch's own day off is not collective leave: 2028 still has none recorded."""
    service.add_holiday(supervisor, date(2028, 1, 31), "Hari jadi kota")
    db.session.commit()
    assert service.years_without_collective_leave(branch.id, date(2027, 1, 4)) == [2028]


@pytest.mark.parametrize("url, data, field, says", [
    ("/working", {"working_day": "2026-03-21", "reason": "SKB"}, "working_day", "Sabtu"),
    ("/working", {"working_day": "2026-03-25", "reason": "SKB"}, "working_day", "SKB 3 Menteri"),
    ("/working", {"working_day": "2026-03-23", "reason": " "}, "reason", "SKB 3 Menteri"),
    ("", {"kind": "own", "day": "2026-03-19", "name": "Libur"}, "day", "Hari Suci Nyepi"),
    ("", {"kind": "own", "day": "2026-06-06", "name": "Libur"}, "day", "Sabtu"),
    ("", {"kind": "collective", "day": "2028-01-31", "name": "Cuti Bersama Imlek",
          "source": ""}, "source", "SKB 3 Menteri"),
    ("", {"kind": "own", "day": "", "name": "Libur"}, "day", "tanggal"),
])
def test_refusals_are_shown_at_their_field_and_write_nothing(client, supervisor, url, data,
                                                             field, says):
    """A weekend or an ordinary day made a working day, a day off on a day already off, or a
    change without its source: refused at the field, with nothing written."""
    login(client, supervisor)
    response = post(client, PAGE + url, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    feedback = html.split(f'id="{field}"', 1)[1].split("</div>", 1)[0]
    assert "invalid-feedback" in feedback and says in feedback
    assert db.session.scalar(select(func.count(BranchHoliday.id))) == 0
    assert audit_actions() == []


def test_a_day_twice_is_refused(supervisor):
    """A working day made twice, or a day off on a working day of the branch, is refused."""
    service.make_working_day(supervisor, date(2026, 3, 23), "SKB 3 Menteri 2026")
    with pytest.raises(ServiceError) as again:
        service.make_working_day(supervisor, date(2026, 3, 23), "SKB 3 Menteri 2026")
    assert again.value.field == "working_day"
    with pytest.raises(ServiceError) as off:
        service.add_holiday(supervisor, date(2026, 3, 23), "Libur")
    assert off.value.field == "day"


def test_officers_cannot_change_the_calendar(client, make_user, branch):
    """An officer gets 403 on the page and its forms, and the service refuses them too."""
    officer = make_user(Role.OFFICER, branch=branch)
    login(client, officer)
    assert client.get(PAGE).status_code == 403
    assert post(client, f"{PAGE}/working", {"working_day": "2026-03-23",
                                            "reason": "SKB"}).status_code == 403
    with pytest.raises(ServiceError):
        service.make_working_day(officer, date(2026, 3, 23), "SKB 3 Menteri 2026")
    with pytest.raises(ServiceError):
        service.add_holiday(officer, date(2028, 1, 31), "Cuti", kind=DayKind.COLLECTIVE,
                            source="SKB")
    assert db.session.scalar(select(func.count(BranchHoliday.id))) == 0


def test_the_forms_need_their_csrf_token(client, supervisor):
    """A form posted without its CSRF token is refused and changes nothing."""
    login(client, supervisor)
    response = client.post(f"{PAGE}/working", data={"working_day": "2026-03-23",
                                                    "reason": "SKB"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(BranchHoliday.id))) == 0
