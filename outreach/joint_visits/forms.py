"""The forms of a joint visit: the invitation, the partner's response, the visit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from outreach.core.labels import choices
from outreach.joint_visits import rules


class InviteForm(FlaskForm):
    """Invite a partner office: makes the draft of the invitation letter."""

    office = SelectField(_l("Partner office"), coerce=int, validators=[Optional()])
    proposed_on = DateField(_l("Day proposed for the visit"), validators=[Optional()])


class ResponseForm(FlaskForm):
    """The partner's response to the invitation."""

    response = RadioField(_l("Response"), choices=list(rules.RESPONSES.items()),
                          validators=[DataRequired(message=_l("Choose the partner's "
                                                              "response."))])
    responded_on = DateField(_l("Answered on"), validators=[Optional()])
    responder_name = StringField(_l("Answered by"), validators=[Length(max=120)])
    responder_position = StringField(_l("Position"), validators=[Length(max=120)])
    agreed_on = DateField(_l("Other day proposed"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    attachment = FileField(_l("Attachment (photo or scan)"),
                           description=_l("JPEG, PNG, WebP or PDF, at most 10 MB."))


class VisitForm(FlaskForm):
    """The joint visit as it took place."""

    occurred_on = DateField(_l("Date"), validators=[DataRequired()])
    outcome = SelectField(_l("Outcome"), validators=[Optional()])
    met_name = StringField(_l("Person met"), validators=[Length(max=120)])
    met_position = StringField(_l("Their position"), validators=[Length(max=80)])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=4000)])
    proof = MultipleFileField(_l("Photos or scans"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [("", "–"), *choices("outcome")]
