"""The fields of an employer's reply recorded on the phone, as the case's answer page sends
them (the same names), read when the phone sends the entry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from outreach.legal import rules as legal_rules


class ReplyEntryForm(FlaskForm):
    """A reply of the employer kept on the phone."""

    received_on = DateField(_l("Received on"), validators=[Optional()])
    channel = RadioField(_l("By"), choices=list(legal_rules.CHANNELS.items()),
                         validators=[DataRequired()])
    sender = StringField(_l("From"), validators=[Length(max=120)])
    content = TextAreaField(_l("What the employer said"), validators=[Length(max=5000)])
    attachment = FileField(_l("Attachment (photo or scan)"))
    client_key = HiddenField(validators=[Length(max=64)])
