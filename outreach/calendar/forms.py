"""The form of a branch's own day off."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    StringField,
)
from wtforms.validators import DataRequired, Length


class HolidayForm(FlaskForm):
    """A branch's own day off."""

    day = DateField(_l("Date"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
