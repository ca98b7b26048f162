"""The form of a branch's adjustment of a rung."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
)
from wtforms.validators import InputRequired, NumberRange, Optional


class RungForm(FlaskForm):
    """A branch's adjustment of one rung."""

    window_days = IntegerField(_l("Response window (working days)"),
                               validators=[Optional(), NumberRange(0, 120)])
    max_count = IntegerField(_l("At most (times per case, 0 = no limit)"),
                             validators=[InputRequired(), NumberRange(0, 10)])
    active = SelectField(_l("In use"), choices=[("1", _l("Yes")), ("0", _l("No"))])
