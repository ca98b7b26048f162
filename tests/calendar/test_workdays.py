"""The Indonesian working-day calendar."""

from __future__ import annotations

from datetime import date

from outreach.calendar.rules import WorkingCalendar


def test_weekends_and_national_holidays_are_days_off():
    """Are Saturdays, Sundays and Independence Day days off?"""
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(date(2026, 8, 15))  # Saturday
    assert not calendar.is_working_day(date(2026, 8, 16))  # Sunday
    assert not calendar.is_working_day(date(2026, 8, 17))  # Hari Kemerdekaan
    assert calendar.is_working_day(date(2026, 8, 18))


def test_collective_leave_days_are_days_off():
    """Collective leave around Idul Fitri (cuti bersama, GOVERNMENT category) counts as off."""
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(date(2026, 3, 20))  # cuti bersama before Idul Fitri
    assert not calendar.is_working_day(date(2026, 3, 23))
    assert not calendar.is_working_day(date(2026, 3, 24))
    assert calendar.is_working_day(date(2026, 3, 25))


def test_ten_working_days_across_idul_fitri():
    """A warning issued Monday 16 March 2026 has its 10 working days end on 7 April."""
    calendar = WorkingCalendar()
    # 17 Mar, then 25, 26, 27, 30, 31 Mar, 1, 2 Apr, (3 Apr Good Friday), 6, 7 Apr
    assert calendar.add_working_days(date(2026, 3, 16), 10) == date(2026, 4, 7)
    assert calendar.working_days_left(date(2026, 4, 2), date(2026, 4, 7)) == 3
    assert calendar.working_days_left(date(2026, 4, 8), date(2026, 4, 7)) == 0


def test_branch_days_off_count_too():
    """A day the branch adds itself moves due dates."""
    plain = WorkingCalendar()
    local = WorkingCalendar([date(2026, 6, 3)])
    assert plain.add_working_days(date(2026, 6, 2), 1) == date(2026, 6, 3)
    assert local.add_working_days(date(2026, 6, 2), 1) == date(2026, 6, 4)
