"""The maps, the contact links of a company (dial, WhatsApp, open in maps), the confirmation of
a message sent, a company located from a visit, and the branch's accuracy limit."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from outreach.cases.models import Case
from outreach.cases.service import open_case_of, visible_step
from outreach.companies.models import Company
from outreach.core import clock
from outreach.core.access import Permission, may
from outreach.core.forms import SimpleForm
from outreach.core.guards import get_visible_or_404, roles_required, staff_only
from outreach.core.labels import label
from outreach.core.views import public_base_url, run_service, status_of, submit
from outreach.fieldwork import rules, service
from outreach.fieldwork.forms import FieldSettingsForm, MessageSentForm
from outreach.letters.models import Letter, LetterStatus
from outreach.org.models import Role

bp = Blueprint("fieldwork", __name__)
bp.add_app_template_global(rules.maps_url, "maps_url")

VIEWS = ("tasks", "companies")


def _view() -> str:
    wanted = request.args.get("view", "")
    if wanted in VIEWS:
        return wanted
    return "tasks" if current_user.role == Role.OFFICER else "companies"


def _points(view: str) -> list[service.MapPoint]:
    today = clock.today()
    if view == "tasks":
        return service.task_points(current_user, today)
    return service.company_points(current_user, today)


def status_labels() -> dict[str, str]:
    """What the map's legend says for each status."""
    return {"overdue": _("Overdue"), "open": _("Open case"), "paused": _("Paused"),
            "none": _("No open case")}


@bp.route("/map/")
def map_page():
    """The map of the day's tasks (officers) or of the branch's companies by status."""
    view = _view()
    points = _points(view)
    return render_template(
        "fieldwork/map.html", view=view, points=points,
        located=[p for p in points if p.latitude is not None],
        unlocated=[p for p in points if p.latitude is None],
        unlocated_total=service.unlocated_count(current_user) if view == "companies" else None,
        statuses=status_labels(), tiles=current_app.config.get("MAP_TILES", ""),
        attribution=current_app.config.get("MAP_ATTRIBUTION", ""),
        can_task=current_user.role in Role.BRANCH_ROLES)


@bp.route("/map/points.json")
def points():
    """The map's points as JSON (the page's script reads them; no inline data)."""
    view = _view()
    labels = status_labels()
    return jsonify({"view": view, "points": [
        {"id": p.company_id, "name": p.name, "lat": p.latitude, "lng": p.longitude,
         "status": p.status, "status_label": labels[p.status],
         "url": url_for("companies.detail", company_id=p.company_id),
         "maps_url": rules.maps_url(p.latitude, p.longitude, p.address)}
        for p in _points(view) if p.latitude is not None]})


# --- what the company and letter pages show ------------------------------------------------

@bp.app_template_global()
def phones_of(company: Company) -> list[rules.Phone]:
    """The company's phone numbers as +62 numbers."""
    return rules.phone_numbers(company.phone)


@bp.app_template_global()
def maps_link(company: Company) -> str | None:
    """The link that opens the company in maps (its location, else its address)."""
    address = ", ".join(p for p in (company.address, company.kelurahan, company.kecamatan,
                                    company.city) if p)
    return rules.maps_url(company.latitude, company.longitude, address)


@bp.app_template_global()
def whatsapp_offer(company: Company, letter: Letter | None = None) -> dict | None:
    """The WhatsApp button of a company page (a visit's message) or of an issued letter's page
    (its number and verification link), with the form that logs it once sent; None without a
    mobile number, an open case or the right to work on it."""
    if not may(current_user, Permission.WORK, company.branch_id):
        return None
    mobiles = [p for p in rules.phone_numbers(company.phone) if p.mobile]
    if letter is not None:
        if letter.status != LetterStatus.ISSUED or not letter.verify_code:
            return None
        case = letter.case
        verify = f"{public_base_url().rstrip('/')}/verify/{letter.verify_code}"
        text = service.letter_message(letter, verify)
    else:
        case = open_case_of(company)
        text = service.visit_message(company, current_user)
    if not mobiles or case is None:
        return None
    form = MessageSentForm(formdata=None, text=text,
                           letter_id=str(letter.id) if letter is not None else "")
    return {"phone": mobiles[0], "url": mobiles[0].whatsapp_url(text), "form": form,
            "action": url_for("fieldwork.message_sent", case_id=case.id),
            "rung": label(rules.MESSAGE_RUNG, "rung")}


@bp.route("/cases/<int:case_id>/whatsapp", methods=["POST"])
@staff_only
def message_sent(case_id: int):
    """"Was the message sent?" — yes: a contact step, if the ladder allows it (else why not)."""
    case = get_visible_or_404(Case, case_id)
    form = MessageSentForm()
    letter = None
    if (form.letter_id.data or "").isdigit():
        letter = get_visible_or_404(Letter, int(form.letter_id.data))
        if letter.case_id != case.id:
            letter = None
    if not form.validate_on_submit():
        flash(_("The message could not be logged: open the page again and retry."), "error")
    else:
        run_service(lambda: service.confirm_message(current_user, case, text=form.text.data,
                                                    today=clock.today(), letter=letter),
                    _("The WhatsApp message is logged as a step."))
    if letter is not None:
        return redirect(url_for("letters.detail", letter_id=letter.id))
    return redirect(url_for("companies.detail", company_id=case.company_id))


@bp.route("/steps/<int:step_id>/company-location", methods=["POST"])
@staff_only
def locate(step_id: int):
    """Make a visit's good position the company's location."""
    step = visible_step(current_user, step_id)
    if step is None:
        abort(404)
    if SimpleForm().validate_on_submit():
        run_service(lambda: service.locate_company(current_user, step, clock.today()),
                    _("The company's location is set from this visit."))
    return redirect(url_for("companies.detail", company_id=step.case.company_id))


@bp.route("/settings/field", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def settings():
    """The branch's accuracy limit for a visit's position."""
    branch_id = current_user.branch_id
    form = FieldSettingsForm(accuracy_limit_m=service.accuracy_limit(branch_id))
    if submit(form, lambda: service.save_accuracy_limit(current_user, branch_id,
                                                        form.accuracy_limit_m.data),
              _("Saved.")):
        return redirect(url_for("fieldwork.settings"))
    return render_template("fieldwork/settings.html", form=form), status_of(form)
