"""The forms of the programme: a sponsor, a list of workers, the KPJ numbers returned."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from outreach.programme.rules import REGENCIES

KIND_CHOICES = [("city", _l("City or regency government (APBD)")),
                ("csr", _l("A company's CSR pledge")), ("other", _l("Other sponsor"))]


class SponsorForm(FlaskForm):
    """A new sponsor: the city's budget line, or a company's pledge."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)],
                       description=_l("Short and unique, e.g. PEMKOT-PKL-2026."))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="city")
    company_id = SelectField(_l("Company (CSR pledges)"), coerce=int, default=0,
                             validators=[Optional()])
    quota = IntegerField(_l("Workers paid for (quota)"), validators=[Optional()])
    months = IntegerField(_l("Months of coverage for each worker"), validators=[Optional()],
                          description=_l("Empty: the whole period."))
    starts_on = DateField(_l("Period starts"), validators=[Optional()])
    ends_on = DateField(_l("Period ends"), validators=[Optional()])
    budget = IntegerField(_l("Budget or pledged amount (Rp)"), validators=[Optional()])
    budget_line = StringField(_l("Budget line (APBD)"), validators=[Length(max=120)])
    regency_code = SelectField(_l("The sponsor's city or regency"), default="3375",
                               choices=[("", "–")] + sorted(
                                   ((code, f"{name} ({code})") for code, name in
                                    REGENCIES.items()), key=lambda c: c[1]))
    pays_jht = BooleanField(_l("Also pays old-age savings (JHT)"))


class WorkerListForm(FlaskForm):
    """A list of workers from the sponsor (CSV or XLSX)."""

    file = FileField(_l("List of workers (CSV or XLSX)"),
                     description=_l("Columns: NIK, Nama, Tanggal Lahir, Pekerjaan, Kelurahan, "
                                    "Kecamatan, No HP."))


class ConfirmForm(FlaskForm):
    """Enrol a previewed list."""

    valid_rows = BooleanField(_l("Enrol only the valid rows"))


class KpjForm(FlaskForm):
    """The agency's answer: NIK and KPJ number of each registered worker."""

    kpj_file = FileField(_l("Registration result (NIK and KPJ columns)"))
