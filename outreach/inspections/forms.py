"""The forms of an inspection: assigning inspectors, the record, the report, the decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from outreach.companies.models import Program
from outreach.core.forms import MultiCheckboxField
from outreach.core.labels import choices


class AssignForm(FlaskForm):
    """Assign inspectors: makes the draft of the assignment letter."""

    inspectors = TextAreaField(_l("Inspectors"), description=_l("One name a line."),
                               validators=[DataRequired(), Length(max=1000)])
    planned_on = DateField(_l("Planned for"), validators=[DataRequired()])


class RecordForm(FlaskForm):
    """The inspection record (Berita Acara Pemeriksaan) as signed on site."""

    inspected_on = DateField(_l("Inspected on"), validators=[DataRequired()])
    checked = MultiCheckboxField(_l("What was checked"), choices=lambda: choices("check"))
    workers_found = IntegerField(_l("Workers found"),
                                 validators=[Optional(), NumberRange(min=0)])
    wages_found = IntegerField(_l("Average monthly wage found (Rp)"),
                               validators=[Optional(), NumberRange(min=0)])
    programs_found = MultiCheckboxField(_l("Programs taken"),
                                        choices=[(p, p) for p in Program.ALL])
    representative_name = StringField(_l("Employer's representative"),
                                      validators=[Length(max=120)])
    representative_position = StringField(_l("Position"), validators=[Length(max=120)])


class ReportForm(FlaskForm):
    """The inspection report (Laporan Hasil Pemeriksaan), submitted for approval."""

    conclusions = TextAreaField(_l("Conclusions"),
                                validators=[DataRequired(), Length(max=4000)])


class DecisionForm(FlaskForm):
    """A supervisor's decision on the report."""

    decision = RadioField(_l("Decision"), choices=[("approve", _l("Approve")),
                                                   ("return", _l("Send back"))],
                          validators=[DataRequired(message=_l("Choose approve or send back."))])
    note = TextAreaField(_l("Reason or note"), validators=[Length(max=2000)])
