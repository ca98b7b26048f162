"""The forms of the officer's and supervisor's pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from outreach.core.labels import choices


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CompanyForm(FlaskForm):
    """A company's profile."""

    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    nib = StringField(_l("NIB"), validators=[Length(max=40)],
                      description=_l("13 digits, any punctuation."))
    npwp = StringField(_l("NPWP"), validators=[Length(max=40)],
                       description=_l("15 or 16 digits, any punctuation."))
    npp = StringField(_l("NPP"), validators=[Length(max=20)],
                      description=_l("Only once the employer is registered."))
    director_name = StringField(_l("Director"), validators=[Length(max=120)])
    address = StringField(_l("Address"), validators=[Length(max=255)])
    kelurahan = StringField(_l("Kelurahan"), validators=[Length(max=80)])
    kecamatan = StringField(_l("Kecamatan"), validators=[Length(max=80)])
    city = StringField(_l("City"), validators=[Length(max=80)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    sector = StringField(_l("Sector"), validators=[Length(max=60)])
    business_size = SelectField(_l("Business size"), default="small")
    risk_class = IntegerField(_l("Work-accident risk class (1–5)"), default=1,
                              validators=[InputRequired(), NumberRange(1, 5)])
    workers_estimated = IntegerField(_l("Workers (estimated)"), default=0,
                                     validators=[InputRequired(), NumberRange(min=0)])
    workers_registered = IntegerField(_l("Workers registered"), default=0,
                                      validators=[InputRequired(), NumberRange(min=0)])
    average_wage = IntegerField(_l("Average monthly wage (Rp)"), default=0,
                                validators=[InputRequired(), NumberRange(min=0)])
    programs = MultiCheckboxField(_l("Programs taken"),
                                  choices=[(p, p) for p in ("JKK", "JKM", "JHT", "JP", "JKP")])
    officer_id = SelectField(_l("Officer"), coerce=int, default=0)
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])
    confirm_duplicate = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.business_size.choices = choices("size")


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
    notes = TextAreaField(_l("Notes"), validators=[Length(max=4000)])
    proof = MultipleFileField(_l("Proof (photo or scan)"),
                              description=_l("JPEG, PNG, WebP or PDF, at most 10 MB each."))
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [("", "–"), *choices("outcome")]


class DeliveryForm(FlaskForm):
    """Mark a letter delivered or returned."""

    result = RadioField(_l("Result"), choices=[("delivered", _l("Delivered")),
                                               ("returned", _l("Returned"))],
                        default="delivered", validators=[DataRequired()])
    delivered_on = DateField(_l("Date"), validators=[DataRequired()])
    method = SelectField(_l("How"), choices=[("receipt", _l("Receipt (tanda terima)")),
                                             ("courier", _l("Courier with tracking number")),
                                             ("hand", _l("By hand"))])
    reference = StringField(_l("Receipt or tracking number"), validators=[Length(max=80)])
    recipient = StringField(_l("Received by"), validators=[Length(max=120)])


class ApprovalForm(FlaskForm):
    """A supervisor's decision."""

    decision = RadioField(_l("Decision"), choices=[("approve", _l("Approve")),
                                                   ("return", _l("Send back"))],
                          validators=[DataRequired()])
    note = TextAreaField(_l("Reason or note"), validators=[Length(max=2000)])


class PauseForm(FlaskForm):
    """Pause a case."""

    reason = SelectField(_l("Reason"), choices=[("dispute", _l("Dispute")),
                                                ("company_closed", _l("Company closed")),
                                                ("court", _l("In court"))])
    version = HiddenField()


class CloseForm(FlaskForm):
    """Close a case."""

    outcome = SelectField(_l("Outcome"), choices=[("compliant", _l("Compliant (registered)")),
                                                  ("company_closed", _l("Company closed")),
                                                  ("withdrawn", _l("Withdrawn"))])
    npp = StringField(_l("NPP"), validators=[Length(max=20)])
    evidence = TextAreaField(_l("Evidence"), validators=[Length(max=2000)],
                             description=_l("E.g. the registration certificate number and date."))
    version = HiddenField()


class SimpleForm(FlaskForm):
    """A form with only its CSRF token and the case version (resume, reopen)."""

    version = HiddenField()


class TransferForm(FlaskForm):
    """Move a company to another branch."""

    branch = SelectField(_l("New branch"), coerce=int)


class HolidayForm(FlaskForm):
    """A branch's own day off."""

    day = DateField(_l("Date"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])


class RungForm(FlaskForm):
    """A branch's adjustment of one rung."""

    window_days = IntegerField(_l("Response window (working days)"),
                               validators=[Optional(), NumberRange(0, 120)])
    max_count = IntegerField(_l("At most (times per case, 0 = no limit)"),
                             validators=[InputRequired(), NumberRange(0, 10)])
    active = SelectField(_l("In use"), choices=[("1", _l("Yes")), ("0", _l("No"))])
