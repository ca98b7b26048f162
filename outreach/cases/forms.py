"""The forms of a case: opening it, logging a step, delivery, approval, pausing, closing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
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

from outreach.core.forms import MultiCheckboxField
from outreach.core.labels import choices


class OpenCaseForm(FlaskForm):
    """Open a case."""

    categories = MultiCheckboxField(_l("Categories"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories.choices = choices("category")


class StepForm(FlaskForm):
    """Log a step."""

    kind = RadioField(_l("Step"), validators=[DataRequired()])
    occurred_on = DateField(_l("Date"), validators=[DataRequired()])
    outcome = SelectField(_l("Outcome"), validators=[Optional()])
    met_name = StringField(_l("Person met"), validators=[Length(max=120)])
    met_position = StringField(_l("Their position"), validators=[Length(max=80)],
                               description=_l("E.g. owner, director, HR manager."))
    notes = TextAreaField(_l("Notes"), validators=[Length(max=4000)])
    proof = MultipleFileField(_l("Photos or scans"),
                              description=_l("From the camera or the gallery, several at once. "
                                             "JPEG, PNG, WebP or PDF, at most 10 MB each; "
                                             "photos are made smaller on the phone first."))
    version = HiddenField()
    #: the phone's position, filled only when the officer taps "record my location"
    latitude = HiddenField()
    longitude = HiddenField()
    accuracy = HiddenField()
    position_at = HiddenField()
    use_location = BooleanField(_l("Use it as the company's location"), default=True,
                                description=_l("Only a position taken on the visit's day and "
                                               "accurate enough becomes the company's "
                                               "location."))
    #: the entry's idempotency key: a form sent twice (or resent from the phone) makes one step
    client_key = HiddenField(validators=[Length(max=64)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [("", "–"), *choices("outcome")]


class DeliveryForm(FlaskForm):
    """Mark a letter delivered or returned."""

    result = RadioField(_l("Result"), choices=[("delivered", _l("Delivered")),
                                               ("returned", _l("Returned"))],
                        default="delivered", validators=[DataRequired()])
    delivered_on = DateField(_l("Date"), validators=[DataRequired()])
    method = SelectField(_l("How"), choices=lambda: choices("method"))
    reference = StringField(_l("Receipt or tracking number"), validators=[Length(max=80)])
    recipient = StringField(_l("Received by"), validators=[Length(max=120)])
    proof = MultipleFileField(_l("Signed receipt or courier slip"),
                              description=_l("A photo or scan; JPEG, PNG, WebP or PDF, at most "
                                             "10 MB each."))


class ApprovalForm(FlaskForm):
    """A supervisor's decision."""

    decision = RadioField(_l("Decision"), choices=[("approve", _l("Approve")),
                                                   ("return", _l("Send back"))],
                          validators=[DataRequired(message=_l("Choose approve or send back."))])
    note = TextAreaField(_l("Reason or note"), validators=[Length(max=2000)])


class PauseForm(FlaskForm):
    """Pause a case."""

    reason = SelectField(_l("Reason"), choices=lambda: choices("pause"))
    version = HiddenField()


class CloseForm(FlaskForm):
    """Close a case."""

    outcome = SelectField(_l("Outcome"), choices=lambda: choices("close"))
    npp = StringField(_l("NPP"), validators=[Length(max=20)])
    evidence = TextAreaField(_l("Evidence"), validators=[Length(max=2000)],
                             description=_l("E.g. the registration certificate number and date."))
    registered = IntegerField(_l("Workers registered now"), validators=[Optional()],
                              description=_l("A compliant close needs every estimated worker "
                                             "registered."))
    reason = TextAreaField(_l("Reason for the supervisor"), validators=[Length(max=2000)],
                           description=_l("Needed for any other outcome, and for a compliant "
                                          "close with workers still missing: a supervisor "
                                          "other than you decides."))
    version = HiddenField()


class ClosingDecisionForm(ApprovalForm):
    """A supervisor's decision on a request to close a case."""
