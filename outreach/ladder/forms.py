"""The forms of a branch's ladder settings: one rung, and a rung of the branch's own."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

YES_NO = [("1", _l("Yes")), ("0", _l("No"))]
#: where a branch's own rung may stand: among the persuasion rungs, before written warning I
POSITIONS = [("0", _l("0 – before the first letter")), ("1", _l("1 – with the letters")),
             ("2", _l("2 – with the visits")), ("3", _l("3 – with the summons, before warning I"))]


class RungForm(FlaskForm):
    """A branch's settings of one rung (the page shows the fields the rung allows)."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    position = SelectField(_l("Place on the ladder"), choices=POSITIONS)
    is_letter = SelectField(_l("A letter to the company"), choices=YES_NO)
    window_days = IntegerField(_l("Response window (working days)"),
                               validators=[Optional(), NumberRange(0, 120)])
    min_count = IntegerField(_l("Required before written warning I (times, 0 = optional)"),
                             validators=[Optional(), NumberRange(0, 10)])
    max_count = IntegerField(_l("At most (times per case, 0 = no limit)"),
                             validators=[Optional(), NumberRange(0, 10)])
    needs_approval = SelectField(_l("Needs a supervisor's approval"), choices=YES_NO)
    active = SelectField(_l("In use"), choices=YES_NO)


class NewRungForm(FlaskForm):
    """A persuasion rung of the branch's own."""

    code = StringField(_l("Code (e.g. kunjungan_rt)"), validators=[InputRequired(),
                                                                   Length(max=30)])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=100)])
    position = SelectField(_l("Place on the ladder"), choices=POSITIONS, default="2")
    is_letter = SelectField(_l("A letter to the company"), choices=YES_NO, default="0")
    window_days = IntegerField(_l("Response window (working days)"),
                               validators=[Optional(), NumberRange(0, 120)])
    min_count = IntegerField(_l("Required before written warning I (times, 0 = optional)"),
                             default=0, validators=[InputRequired(), NumberRange(0, 10)])
    max_count = IntegerField(_l("At most (times per case, 0 = no limit)"), default=1,
                             validators=[InputRequired(), NumberRange(0, 10)])
    needs_approval = SelectField(_l("Needs a supervisor's approval"), choices=YES_NO,
                                 default="0")
