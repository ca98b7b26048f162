"""The forms of the days-off page: add a day off (the branch's own or collective leave), and
make a national day a working day."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from outreach.calendar.models import DayKind

# Empty dates and texts are left to the service, whose refusal says what is missing and why.


class HolidayForm(FlaskForm):
    """A day off of the branch's own, or collective leave the national calendar lacks."""

    kind = SelectField(_l("Kind"), choices=[
        (DayKind.OWN, _l("Day off of the branch")),
        (DayKind.COLLECTIVE, _l("Collective leave (cuti bersama)"))], default=DayKind.OWN)
    day = DateField(_l("Date"), validators=[Optional()])
    name = StringField(_l("Name"), validators=[Length(max=120)])
    source = StringField(_l("Legal basis"), validators=[Length(max=200)], description=_l(
        "Required for collective leave: the decree, e.g. SKB 3 Menteri 2028 and its number."))


class WorkingDayForm(FlaskForm):
    """A national holiday or collective leave day the branch works after all."""

    working_day = DateField(_l("National day to work"), validators=[Optional()])
    reason = StringField(_l("Reason and source"), validators=[Length(max=200)], description=_l(
        "E.g. the decree that moved the collective leave: SKB 3 Menteri 2026 and its number."))
