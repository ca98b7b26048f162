"""The forms of the employer's answer and the legal track."""

from __future__ import annotations

from uuid import uuid4

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from outreach.legal import rules


class ReplyForm(FlaskForm):
    """A reply of the employer."""

    received_on = DateField(_l("Received on"), validators=[Optional()])
    channel = RadioField(_l("By"), choices=list(rules.CHANNELS.items()), default="letter",
                         validators=[DataRequired()])
    sender = StringField(_l("From"), validators=[Length(max=120)])
    content = TextAreaField(_l("What the employer said"), validators=[Length(max=5000)])
    attachment = FileField(_l("Attachment (photo or scan)"),
                           description=_l("JPEG, PNG, WebP or PDF, at most 10 MB."))
    #: the entry's idempotency key: a form sent twice (or resent from the phone) makes one reply
    client_key = HiddenField(default=lambda: uuid4().hex, validators=[Length(max=64)])


class CommitmentForm(FlaskForm):
    """A signed commitment."""

    made_on = DateField(_l("Signed on"), validators=[Optional()])
    promised_on = DateField(_l("Promised by"), validators=[Optional()])
    workers_promised = IntegerField(_l("Workers registered in all"), validators=[Optional()])
    wage_promised = IntegerField(_l("Average wage reported (Rp)"), validators=[Optional()])
    arrears_promised = BooleanField(_l("Pays the arrears (in instalments)"))
    signatory_name = StringField(_l("Signed by"), validators=[Length(max=120)])
    signatory_position = StringField(_l("Position"), validators=[Length(max=120)])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])


class JudgeForm(FlaskForm):
    """A commitment judged kept or broken."""

    verdict = RadioField(_l("The commitment was"), choices=[("kept", _l("Kept")),
                                                            ("broken", _l("Broken"))],
                         validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class LegalEventForm(FlaskForm):
    """An entry of the legal track."""

    kind = SelectField(_l("Entry"), choices=list(rules.LEGAL_KINDS.items()),
                       validators=[DataRequired()])
    occurred_on = DateField(_l("Date"), validators=[Optional()])
    due_on = DateField(_l("Day of the meeting or hearing"), validators=[Optional()])
    person = StringField(_l("State lawyer"), validators=[Length(max=120)])
    court = StringField(_l("Court"), validators=[Length(max=200)])
    number = StringField(_l("Court case number"), validators=[Length(max=80)])
    scope = TextAreaField(_l("Scope of the power of attorney"), validators=[Length(max=2000)])
    amount = IntegerField(_l("Amount claimed or recovered (Rp)"), validators=[Optional()])
    outcome = StringField(_l("Outcome"), validators=[Length(max=200)])
    instalments = TextAreaField(_l("Instalments"), validators=[Length(max=4000)],
                                description=_l("One a line: date and amount, e.g. "
                                               "2026-07-01 5000000."))
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])


class GraceForm(FlaskForm):
    """The branch's grace after a promised day."""

    grace_days = IntegerField(_l("Grace after a promised day (working days)"),
                              validators=[Optional()])
