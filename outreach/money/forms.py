"""The forms of money: a payment with its proof, a JP wage cap."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class PaymentForm(FlaskForm):
    """A payment of contributions or of the fine."""

    kind = RadioField(_l("Pays"), choices=[("contribution", _l("Contributions")),
                                           ("fine", _l("The fine"))],
                      default="contribution", validators=[DataRequired()])
    paid_on = DateField(_l("Paid on"), validators=[Optional()])
    amount = IntegerField(_l("Amount (Rp)"), validators=[Optional()])
    reference = StringField(_l("Reference"), validators=[Length(max=80)],
                            description=_l("Transfer or receipt number."))
    proof = FileField(_l("Proof of payment (photo or scan)"),
                      description=_l("JPEG, PNG, WebP or PDF, at most 10 MB."))


class WageCapForm(FlaskForm):
    """Next year's JP wage cap."""

    amount = IntegerField(_l("Wage cap (Rp)"), validators=[Optional()])
    effective_from = DateField(_l("Applies from"), validators=[Optional()])
    source = TextAreaField(_l("Source"), validators=[Length(max=1000)],
                           description=_l("The agency's announcement (number and date) or "
                                          "the regulation."))
