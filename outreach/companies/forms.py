"""The forms of companies: entering and editing one, transferring it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from outreach.core.forms import MultiCheckboxField
from outreach.core.labels import choices


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
    obliged_on = DateField(_l("Obliged since"), validators=[Optional()],
                           description=_l("The day the company had to register its workers. "
                                          "Unknown: the ledger counts from the case's opening."))
    reported_wage = IntegerField(_l("Wage reported to the agency (Rp)"),
                                 validators=[Optional(), NumberRange(min=0)],
                                 description=_l("For PDS-Upah: the wage the company reports."))
    unpaid_since = DateField(_l("Contributions unpaid since"), validators=[Optional()],
                             description=_l("For arrears: the first month not paid."))
    officer_id = SelectField(_l("Officer"), coerce=int, default=0)
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])
    confirm_duplicate = HiddenField()
    #: the company's version the page was made from (the optimistic lock, as for cases)
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.business_size.choices = choices("size")


class TransferForm(FlaskForm):
    """Move a company to another branch."""

    branch = SelectField(_l("New branch"), coerce=int)
