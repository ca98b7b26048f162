"""The ledger page of a company, its payments and their proofs, and the JP wage caps."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.cases.proofs import Upload
from outreach.companies.models import Company
from outreach.core import clock
from outreach.core.access import Permission, may
from outreach.core.guards import get_visible_or_404, roles_required
from outreach.core.views import log_access, status_of, stored_file, submit
from outreach.money import rules, service
from outreach.money.forms import PaymentForm, WageCapForm
from outreach.money.models import PaymentKind
from outreach.org.models import Role

bp = Blueprint("money", __name__)

COMPONENTS = {
    rules.UNREGISTERED: lambda: _("Workers not registered (PWBD, PDS-TK)"),
    rules.MISSING_PROGRAMS: lambda: _("Programs not taken (PDS-Program)"),
    rules.WAGE_GAP: lambda: _("Wage not reported (PDS-Upah)"),
    rules.ARREARS: lambda: _("Months not paid (Menunggak)"),
}


def _upload(field) -> Upload | None:
    data = field.data
    if not data or not getattr(data, "filename", ""):
        return None
    return Upload(data.filename, data.read(current_app.config["PROOF_MAX_BYTES"] + 1))


def _page(company: Company, form: PaymentForm, status: int = 200):
    today = clock.today()
    return render_template(
        "money/ledger.html", company=company, book=service.ledger(company, today),
        today=today, form=form, writable=may(current_user, Permission.WORK, company.branch_id),
        components={code: text() for code, text in COMPONENTS.items()},
        kinds={PaymentKind.CONTRIBUTION: _("Contributions"), PaymentKind.FINE: _("Fine")},
    ), status


@bp.route("/companies/<int:company_id>")
def ledger(company_id: int):
    """A company's ledger: months owed per program, the fine, payments and the balance."""
    company = get_visible_or_404(Company, company_id)
    return _page(company, PaymentForm())


@bp.route("/companies/<int:company_id>/payments", methods=["POST"])
@roles_required(*Role.BRANCH_ROLES)
def add_payment(company_id: int):
    """Record a payment with its proof."""
    company = get_visible_or_404(Company, company_id)
    form = PaymentForm()
    if submit(form, lambda: service.add_payment(
            current_user, company, kind=form.kind.data, paid_on=form.paid_on.data,
            amount=form.amount.data, reference=form.reference.data or "",
            upload=_upload(form.proof), today=clock.today(),
            max_bytes=current_app.config["PROOF_MAX_BYTES"]), _("Payment recorded.")):
        return redirect(url_for("money.ledger", company_id=company.id))
    return _page(company, form, 400)


@bp.route("/payments/<int:payment_id>/proof")
def payment_proof(payment_id: int):
    """Download the proof of a payment the user may read."""
    row = service.visible_payment(current_user, payment_id)
    if row is None:
        abort(404)
    log_access("download.payment_proof", "company", row.company_id, row.branch_id,
               payment=row.id, file=row.filename)
    return stored_file(row.data, row.content_type, f"pembayaran-{row.id}")


@bp.route("/wage-caps", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def wage_caps():
    """The JP wage cap of every year with its source; an administrator adds next year's."""
    form = WageCapForm()
    if submit(form, lambda: service.add_wage_cap(
            current_user, amount=form.amount.data, effective_from=form.effective_from.data,
            source=form.source.data or ""), _("Wage cap added.")):
        return redirect(url_for("money.wage_caps"))
    return render_template("money/wage_caps.html", caps=service.wage_caps(), form=form,
                           can_add=current_user.role == Role.ADMIN,
                           late_rates=service.late_rates()), status_of(form)
