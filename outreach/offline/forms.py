"""The fields of an employer's reply recorded on the phone, as the case's answer page sends
them (the same names), read when the phone sends the entry."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from outreach.legal import rules as legal_rules


class ReplyEntryForm(FlaskForm):
    """A reply of the employer kept on the phone."""

    received_on = DateField(validators=[Optional()])
    channel = RadioField(choices=list(legal_rules.CHANNELS.items()), validators=[DataRequired()])
    sender = StringField(validators=[Length(max=120)])
    content = TextAreaField(validators=[Length(max=5000)])
    attachment = FileField()
    client_key = HiddenField(validators=[Length(max=64)])
