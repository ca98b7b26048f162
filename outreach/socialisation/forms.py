"""The forms of socialisation: an event, its attendance, an attendance list, a material, a
target, and the bulk assignment of companies not reached."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from outreach.core.forms import MultiCheckboxField
from outreach.socialisation.models import PartnerKind, PlaceKind

PLACE_KINDS = {
    PlaceKind.KECAMATAN_HALL: _l("Kecamatan hall"),
    PlaceKind.ASSOCIATION: _l("Association meeting"),
    PlaceKind.CITY_OFFICE: _l("City office"),
    PlaceKind.BRANCH_OFFICE: _l("Branch office"),
    PlaceKind.OTHER: _l("Other place"),
}
PARTNERS = {
    PartnerKind.PEMKOT: _l("City or regency government (Pemkot/Pemkab)"),
    PartnerKind.DISNAKER: _l("Labour office (Disnaker)"),
    PartnerKind.ASSOCIATION: _l("Business association"),
    PartnerKind.NONE: _l("The branch alone"),
}


class EventForm(FlaskForm):
    """A socialisation event."""

    held_on = DateField(_l("Day"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)],
                        description=_l("E.g. Aula Kecamatan Pekalongan Utara."))
    place_kind = SelectField(_l("Kind of place"), choices=list(PLACE_KINDS.items()))
    kecamatan = StringField(_l("Kecamatan"), validators=[Length(max=80)])
    partner_kind = SelectField(_l("Partner"), choices=list(PARTNERS.items()),
                               default=PartnerKind.NONE)
    partner_name = StringField(_l("Partner's name"), validators=[Length(max=200)],
                               description=_l("E.g. Dinas Tenaga Kerja Kota Pekalongan."))
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])


class AttendanceForm(FlaskForm):
    """Companies that attended."""

    company_ids = SelectMultipleField(_l("Companies"), coerce=int,
                                      validators=[DataRequired()])
    person = StringField(_l("Who came"), validators=[Length(max=120)])


class AttendanceListForm(FlaskForm):
    """An attendance list as a spreadsheet."""

    file = FileField(_l("Attendance list (CSV or XLSX)"),
                     description=_l("One row per company, with its name, NPP or NIB."),
                     validators=[DataRequired()])


class MaterialForm(FlaskForm):
    """A material of the event."""

    material = FileField(_l("Material (PDF or photo)"),
                         description=_l("PDF, JPEG, PNG or WebP, at most 10 MB."),
                         validators=[DataRequired()])


class TargetForm(FlaskForm):
    """The year's target."""

    companies = IntegerField(_l("Companies to reach"), validators=[Optional()],
                             description=_l("Leave empty to aim at every company in scope."))


class AssignForm(FlaskForm):
    """Companies not reached, given to an officer."""

    company_ids = MultiCheckboxField(_l("Companies"), coerce=int)
    officer = SelectField(_l("Officer"), coerce=int)
