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


def test_warning_delivered_17_march_2026_ends_on_8_april(make_branch):
    """Issue 13's example: does a warning I delivered on Tuesday 17 March 2026 end its 10
    working days on 8 April, on a branch's calendar from the package's 2026 data?"""
    calendar = WorkingCalendar.for_branch(make_branch().id)
    # skipped: 18 Mar (cuti bersama Nyepi), 19 Mar (Nyepi), 20 Mar (cuti bersama Idul
    # Fitri), 21-22 Mar (Idul Fitri, a weekend), 23-24 Mar (cuti bersama Idul Fitri),
    # 28-29 Mar, 3 Apr (Wafat Yesus Kristus), 4-5 Apr (Paskah on the Sunday);
    # counted: 25, 26, 27, 30, 31 Mar, 1, 2, 6, 7, 8 Apr
    assert calendar.add_working_days(date(2026, 3, 17), 10) == date(2026, 4, 8)


def test_a_working_day_of_the_branch_counts_and_weekends_stay_off():
    """A national day the branch works counts as a working day; a weekend never does."""
    calendar = WorkingCalendar(working_days=[date(2026, 3, 23), date(2026, 3, 21)])
    assert calendar.is_working_day(date(2026, 3, 23))
    assert not calendar.is_working_day(date(2026, 3, 21))  # a Saturday
    assert calendar.add_working_days(date(2026, 3, 17), 10) == date(2026, 4, 7)


def test_collective_leave_added_by_hand_counts_as_a_day_off():
    """Collective leave of a year the package does not know is a day off, named as such."""
    calendar = WorkingCalendar(collective_leave={date(2028, 1, 27): "Cuti Bersama Imlek"})
    assert calendar.day_off_name(date(2028, 1, 27)) == "Cuti Bersama Imlek"
    assert calendar.add_working_days(date(2028, 1, 25), 1) == date(2028, 1, 28)
