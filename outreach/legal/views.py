"""The case's answer page: replies, commitments, the legal track, and the commitment form."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.cases.models import Case
from outreach.cases.proofs import Upload
from outreach.core import clock
from outreach.core.access import Permission, may
from outreach.core.errors import ServiceError
from outreach.core.guards import get_visible_or_404, roles_required
from outreach.core.views import log_access, pdf_response, status_of, stored_file, submit
from outreach.legal import rules, service
from outreach.legal.forms import CommitmentForm, GraceForm, JudgeForm, LegalEventForm, ReplyForm
from outreach.legal.models import Commitment
from outreach.letters.service import has_dossier
from outreach.org.models import Role

bp = Blueprint("legal", __name__)


def _upload(field) -> Upload | None:
    data = field.data
    if not data or not getattr(data, "filename", ""):
        return None
    return Upload(data.filename, data.read(current_app.config["PROOF_MAX_BYTES"] + 1))


def parse_instalments(text: str) -> list[tuple[date, int]]:
    """Lines of "YYYY-MM-DD amount" (the amount may carry dots for thousands)."""
    items = []
    for line in text.splitlines():
        parts = line.replace(";", " ").split()
        if not parts:
            continue
        try:
            day = date.fromisoformat(parts[0])
            amount = int("".join(parts[1:]).replace(".", "").replace("Rp", ""))
        except ValueError:
            raise ServiceError(_("Cannot read the line %(line)s: write a date and an amount.",
                                 line=line.strip()), "instalments") from None
        items.append((day, amount))
    return items


def _page(case: Case, status: int = 200, **forms):
    today = clock.today()
    forms.setdefault("reply_form", ReplyForm())
    forms.setdefault("commitment_form", CommitmentForm())
    forms.setdefault("judge_form", JudgeForm())
    forms.setdefault("legal_form", LegalEventForm())
    return render_template(
        "legal/case.html", case=case, company=case.company, answer=service.answer_of(case, today),
        today=today, writable=may(current_user, Permission.WORK, case.branch_id),
        channels=rules.CHANNELS, statuses=rules.COMMITMENT_STATUSES, kinds=rules.LEGAL_KINDS,
        instalment_states=rules.INSTALMENT_STATES, dossier=has_dossier(case),
        laws=[rules.LAW_POWER_OF_ATTORNEY, rules.LAW_SMALL_CLAIMS], **forms), status


@bp.route("/cases/<int:case_id>/answer")
def case_answer(case_id: int):
    """The employer's replies and commitments, and the legal track after the referral."""
    return _page(get_visible_or_404(Case, case_id))


@bp.route("/cases/<int:case_id>/replies", methods=["POST"])
@roles_required(*Role.BRANCH_ROLES)
def add_reply(case_id: int):
    """Record a reply of the employer."""
    case = get_visible_or_404(Case, case_id)
    form = ReplyForm()
    if submit(form, lambda: service.add_reply(
            current_user, case, received_on=form.received_on.data, channel=form.channel.data,
            sender=form.sender.data or "", content=form.content.data or "",
            upload=_upload(form.attachment), today=clock.today(),
            max_bytes=current_app.config["PROOF_MAX_BYTES"],
            client_key=form.client_key.data or ""), _("Reply recorded.")):
        return redirect(url_for("legal.case_answer", case_id=case.id))
    return _page(case, 400, reply_form=form)


@bp.route("/cases/<int:case_id>/commitments", methods=["POST"])
@roles_required(*Role.BRANCH_ROLES)
def add_commitment(case_id: int):
    """Record a signed commitment."""
    case = get_visible_or_404(Case, case_id)
    form = CommitmentForm()
    if submit(form, lambda: service.add_commitment(
            current_user, case, made_on=form.made_on.data, promised_on=form.promised_on.data,
            today=clock.today(), workers_promised=form.workers_promised.data,
            wage_promised=form.wage_promised.data,
            arrears_promised=bool(form.arrears_promised.data),
            signatory_name=form.signatory_name.data or "",
            signatory_position=form.signatory_position.data or "",
            notes=form.notes.data or ""), _("Commitment recorded.")):
        return redirect(url_for("legal.case_answer", case_id=case.id))
    return _page(case, 400, commitment_form=form)


@bp.route("/commitments/<int:commitment_id>/judge", methods=["POST"])
@roles_required(*Role.BRANCH_ROLES)
def judge(commitment_id: int):
    """Judge a commitment kept or broken."""
    commitment = get_visible_or_404(Commitment, commitment_id)
    form = JudgeForm()
    if submit(form, lambda: service.judge_commitment(
            current_user, commitment, kept=form.verdict.data == "kept", today=clock.today(),
            note=form.note.data or ""), _("Commitment judged.")):
        return redirect(url_for("legal.case_answer", case_id=commitment.case_id))
    return _page(commitment.case, 400, judge_form=form)


@bp.route("/cases/<int:case_id>/legal", methods=["POST"])
@roles_required(*Role.BRANCH_ROLES)
def add_legal(case_id: int):
    """Record an entry of the legal track."""
    case = get_visible_or_404(Case, case_id)
    form = LegalEventForm()
    if submit(form, lambda: service.add_legal_event(
            current_user, case, kind=form.kind.data, occurred_on=form.occurred_on.data,
            today=clock.today(), due_on=form.due_on.data, number=form.number.data or "",
            person=form.person.data or "", court=form.court.data or "",
            scope=form.scope.data or "", amount=form.amount.data,
            outcome=form.outcome.data or "", notes=form.notes.data or "",
            instalments=parse_instalments(form.instalments.data or "")), _("Entry recorded.")):
        return redirect(url_for("legal.case_answer", case_id=case.id))
    return _page(case, 400, legal_form=form)


@bp.route("/cases/<int:case_id>/commitment-form.pdf")
def commitment_form(case_id: int):
    """The commitment form to sign on site, filled with the company's data."""
    case = get_visible_or_404(Case, case_id)
    document = service.commitment_form_pdf(case, clock.today())
    return pdf_response(document, f"pernyataan-kesanggupan-{case.id}.pdf", inline=False)


@bp.route("/replies/<int:reply_id>/attachment")
def reply_attachment(reply_id: int):
    """Download a reply's attachment the user may read."""
    row = service.visible_reply(current_user, reply_id)
    if row is None or not row.filename:
        abort(404)
    log_access("download.reply_attachment", "case", row.case_id, row.branch_id,
               reply=row.id, file=row.filename)
    return stored_file(row.data, row.content_type, f"tanggapan-{row.id}")


@bp.route("/settings/answer", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def settings():
    """The branch's grace after a promised day."""
    branch_id = current_user.branch_id
    form = GraceForm(grace_days=service.grace_days(branch_id))
    if submit(form, lambda: service.save_grace_days(current_user, branch_id,
                                                    form.grace_days.data), _("Saved.")):
        return redirect(url_for("legal.settings"))
    return render_template("legal/settings.html", form=form), status_of(form)

