"""The forms of work in the field: the branch's accuracy limit, a message confirmed sent, and
the position a step form carries."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import DataRequired, Length

from outreach.cases.models import Step
from outreach.fieldwork import service
from outreach.fieldwork.rules import Position
from outreach.org.models import User


class FieldSettingsForm(FlaskForm):
    """The branch's limit for a position to become a company's location."""

    accuracy_limit_m = IntegerField(
        _l("Accuracy limit (metres)"), validators=[DataRequired()],
        description=_l("A visit's position less accurate than this is kept with a warning and "
                       "does not become the company's location. Default 100 m."))


class MessageSentForm(FlaskForm):
    """"Was the message sent?": yes logs the contact step."""

    text = HiddenField(validators=[DataRequired(), Length(max=2000)])
    letter_id = HiddenField()


def _number(value: str | None) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def position_of(latitude: str | None, longitude: str | None, accuracy: str | None,
                taken_at: str | None) -> Position | None:
    """The position a form carries (the phone's degrees, accuracy in metres and the moment as
    ISO 8601), or None when the officer recorded none or the values cannot be read."""
    lat, lng, radius = _number(latitude), _number(longitude), _number(accuracy)
    if lat is None or lng is None or radius is None or not taken_at:
        return None
    try:
        moment = datetime.fromisoformat(taken_at.strip()[:40])
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Position(lat, lng, radius, moment)


def keep_position(actor: User, step: Step, form: Any, today: date) -> list[str]:
    """Keep the position a step's form carries (none without the officer's tap) with the
    step (`service.record_position`), for the step form and for an entry sent from the phone
    alike; returns its warnings."""
    position = position_of(form.latitude.data, form.longitude.data, form.accuracy.data,
                           form.position_at.data)
    if position is None:
        return []
    return service.record_position(actor, step, position,
                                   use_for_company=bool(form.use_location.data), today=today)
