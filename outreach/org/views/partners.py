"""The branch's partner offices (supervisors): who late-stage letters go to, per city or
regency."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from outreach.core.guards import roles_required
from outreach.core.views import submit
from outreach.org import partners
from outreach.org.models import PartnerKind, Role

bp = Blueprint("partners", __name__)
supervisor_only = roles_required(Role.SUPERVISOR)

KINDS = {
    PartnerKind.DPMPTSP: _l("Permit office (DPMPTSP)"),
    PartnerKind.DISNAKER: _l("Labour office (Disnaker)"),
    PartnerKind.KEJARI: _l("District prosecutor (Kejari)"),
}


class PartnerOfficeForm(FlaskForm):
    """A partner office."""

    kind = SelectField(_l("Kind"), choices=[])
    area = StringField(_l("City or regency it serves"),
                       validators=[DataRequired(), Length(max=80)],
                       description=_l('With its prefix: "Kota Pekalongan", "Kabupaten Batang".'))
    name = StringField(_l("Office name"), validators=[DataRequired(), Length(max=200)])
    head_title = StringField(_l("Title letters are addressed to"),
                             validators=[DataRequired(), Length(max=200)],
                             description=_l('E.g. "Kepala Kejaksaan Negeri Kota Pekalongan".'))
    head_name = StringField(_l("Name of the head"), validators=[Length(max=120)])
    address = StringField(_l("Address"), validators=[Length(max=255)])


def _form(office=None) -> PartnerOfficeForm:
    form = PartnerOfficeForm(obj=office)
    form.kind.choices = [(code, str(text)) for code, text in KINDS.items()]
    return form


def _save(form: PartnerOfficeForm, office):
    return partners.save_office(current_user, office, kind=form.kind.data,
                                area=form.area.data or "", name=form.name.data or "",
                                head_title=form.head_title.data or "",
                                head_name=form.head_name.data or "",
                                address=form.address.data or "")


@bp.route("/partners")
@supervisor_only
def offices():
    """The branch's partner offices by city or regency."""
    return render_template("org/partners.html", offices=partners.offices(current_user.branch_id),
                           kinds=KINDS)


@bp.route("/partners/new", methods=["GET", "POST"])
@supervisor_only
def office_new():
    """Add a partner office."""
    form = _form()
    if submit(form, lambda: _save(form, None), _("Partner office saved.")):
        return redirect(url_for("partners.offices"))
    return render_template("org/partner_form.html", form=form, office=None)


@bp.route("/partners/<int:office_id>", methods=["GET", "POST"])
@supervisor_only
def office_edit(office_id: int):
    """Change a partner office."""
    office = partners.get_office(current_user.branch_id, office_id) or abort(404)
    form = _form(office)
    if submit(form, lambda: _save(form, office), _("Partner office saved.")):
        return redirect(url_for("partners.offices"))
    return render_template("org/partner_form.html", form=form, office=office)
