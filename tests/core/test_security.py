"""The security suite: walk the app's URL map so that no route escapes the checks.

Every route is listed in ACCESS with who may use it. A route added without being listed fails
`test_every_route_is_classified`; one listed but left open fails the checks below: anonymous
visitors are sent to sign-in, a form without its CSRF token is refused, a record of another
branch answers 404, a role that may not use a route gets 403.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from outreach import create_app
from outreach.api import service as api_service
from outreach.calendar.models import BranchHoliday
from outreach.cases import service as case_service
from outreach.cases.models import Category, ClosingRequest, Step
from outreach.cases.proofs import Upload
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.imports.models import CloseSuggestion, CompanyImport
from outreach.inspections.models import Inspection
from outreach.joint_visits.models import JointVisit
from outreach.legal import service as legal
from outreach.money import service as money
from outreach.notifications.models import Notification
from outreach.org.models import PartnerOffice, Role
from outreach.programme.models import BeneficiaryImport, Renewal, Sponsor
from outreach.queue.models import BackgroundJob
from outreach.reports.models import MonthlyReport
from outreach.socialisation import service as social
from outreach.tasks.models import Reminder
from tests import factories
from tests.conftest import login, post

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")

PUBLIC = "public"
#: the JSON API: a bearer token, never the session cookie (tests/api has its own checks)
TOKEN = "token"
SIGNED_IN = frozenset(Role.ALL)
BRANCH_STAFF = frozenset(Role.BRANCH_ROLES)
SUPERVISOR = frozenset({Role.SUPERVISOR})
ADMIN = frozenset({Role.ADMIN})
OVERSEERS = frozenset({Role.SUPERVISOR, Role.REGIONAL, Role.ADMIN})

#: who may use each route; every endpoint of the app must be listed here
ACCESS: dict[str, str | frozenset[str]] = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.second_factor": PUBLIC,
    "auth.set_password": PUBLIC,
    "main.healthz": PUBLIC,
    "main.set_language": PUBLIC,
    "letters.verify": PUBLIC,
    "main.index": SIGNED_IN,
    "auth.logout": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.sign_out_everywhere": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.two_factor_setup": SIGNED_IN,
    "auth.two_factor_disable": SIGNED_IN,
    "companies.index": SIGNED_IN,
    "companies.detail": SIGNED_IN,
    "companies.create": BRANCH_STAFF,
    "companies.edit": BRANCH_STAFF,
    "cases.open_case": BRANCH_STAFF,
    "cases.log_step": BRANCH_STAFF,
    "cases.delivery": BRANCH_STAFF,
    "cases.pause": BRANCH_STAFF,
    "cases.resume": BRANCH_STAFF,
    "cases.close": BRANCH_STAFF,
    "cases.reopen": BRANCH_STAFF,
    "cases.proof": SIGNED_IN,
    "cases.approval": SUPERVISOR,
    "cases.approvals": SUPERVISOR,
    "cases.closing": SUPERVISOR,
    "cases.transfer": SUPERVISOR,
    "letters.index": SIGNED_IN,
    "letters.detail": SIGNED_IN,
    "letters.pdf": SIGNED_IN,
    "letters.issue": BRANCH_STAFF,
    "letters.redraft": BRANCH_STAFF,
    "letters.void": SUPERVISOR,
    "letters.approve": SUPERVISOR,
    "letters.meeting": BRANCH_STAFF,
    "letters.visit_form": SIGNED_IN,
    "letters.dossier": SIGNED_IN,
    "letters.batch": BRANCH_STAFF,
    "letters.issue_ready": SUPERVISOR,
    "queue.index": SIGNED_IN,
    "queue.detail": SIGNED_IN,
    "queue.result": SIGNED_IN,
    "letters.templates": SUPERVISOR,
    "letters.edit_template": SUPERVISOR,
    "letters.preview_template": SUPERVISOR,
    "letters.sample_pdf": SUPERVISOR,
    "settings.ladder": SUPERVISOR,
    "settings.rung": SUPERVISOR,
    "settings.new_rung": SUPERVISOR,
    "calendar.holidays": SUPERVISOR,
    "calendar.holiday_delete": SUPERVISOR,
    "calendar.working_day": SUPERVISOR,
    "partners.offices": SUPERVISOR,
    "partners.office_new": SUPERVISOR,
    "partners.office_edit": SUPERVISOR,
    "tasks.index": SIGNED_IN,
    "tasks.inbox": SIGNED_IN,
    "tasks.notification": SIGNED_IN,
    "tasks.done": BRANCH_STAFF,
    "tasks.snooze": BRANCH_STAFF,
    "tasks.reassign": BRANCH_STAFF,
    "admin.branches": ADMIN,
    "admin.branch_new": ADMIN,
    "admin.branch_edit": ADMIN,
    "admin.users": ADMIN,
    "admin.user_new": ADMIN,
    "admin.user_edit": ADMIN,
    "admin.user_password_link": ADMIN,
    "admin.user_reset_two_factor": ADMIN,
    "admin.job_runs": ADMIN,
    "jobs.run_sweep": ADMIN,
    "admin.sign_ins": ADMIN,
    "admin.data_access": ADMIN,
    "companies.export": SIGNED_IN,
    "imports.index": BRANCH_STAFF,
    "imports.map_columns": BRANCH_STAFF,
    "imports.preview": BRANCH_STAFF,
    "imports.confirm": BRANCH_STAFF,
    "imports.status": BRANCH_STAFF,
    "imports.detail": BRANCH_STAFF,
    "imports.download": BRANCH_STAFF,
    "imports.rejected": BRANCH_STAFF,
    "imports.discard": BRANCH_STAFF,
    "imports.dismiss": BRANCH_STAFF,
    "imports.assignment_rules": SUPERVISOR,
    "imports.sources": SIGNED_IN,
    "dashboard.index": OVERSEERS,
    "dashboard.region": frozenset({Role.REGIONAL, Role.ADMIN}),
    "dashboard.still_non_compliant": OVERSEERS,
    "dashboard.reassign": SUPERVISOR,
    "dashboard.directive": SUPERVISOR,
    "dashboard.review_bulk": SUPERVISOR,
    "dashboard.monthly_reports": OVERSEERS,
    "dashboard.report_pdf": OVERSEERS,
    "money.ledger": SIGNED_IN,
    "money.add_payment": BRANCH_STAFF,
    "money.payment_proof": SIGNED_IN,
    "money.wage_caps": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "legal.case_answer": SIGNED_IN,
    "legal.add_reply": BRANCH_STAFF,
    "legal.add_commitment": BRANCH_STAFF,
    "legal.judge": BRANCH_STAFF,
    "legal.add_legal": BRANCH_STAFF,
    "legal.commitment_form": SIGNED_IN,
    "legal.reply_attachment": SIGNED_IN,
    "legal.settings": SUPERVISOR,
    "fieldwork.map_page": SIGNED_IN,
    "fieldwork.points": SIGNED_IN,
    "fieldwork.message_sent": BRANCH_STAFF,
    "fieldwork.locate": BRANCH_STAFF,
    "fieldwork.settings": SUPERVISOR,
    "inspections.assign": BRANCH_STAFF,
    "inspections.detail": SIGNED_IN,
    "inspections.record": BRANCH_STAFF,
    "inspections.report": BRANCH_STAFF,
    "inspections.decision": SUPERVISOR,
    "inspections.record_form": SIGNED_IN,
    "joint_visits.invite": BRANCH_STAFF,
    "joint_visits.waiting": SIGNED_IN,
    "joint_visits.detail": SIGNED_IN,
    "joint_visits.response": BRANCH_STAFF,
    "joint_visits.visit": BRANCH_STAFF,
    "joint_visits.attachment": SIGNED_IN,
    "programme.index": SIGNED_IN,
    "programme.new_sponsor": SUPERVISOR,
    "programme.sponsor": SIGNED_IN,
    "programme.upload_list": BRANCH_STAFF,
    "programme.preview": BRANCH_STAFF,
    "programme.registration": BRANCH_STAFF,
    "programme.record_kpj": BRANCH_STAFF,
    "programme.renewal_done": BRANCH_STAFF,
    "programme.report": SIGNED_IN,
    "programme.report_pdf": SIGNED_IN,
    "socialisation.index": SIGNED_IN,
    "socialisation.export": SIGNED_IN,
    "socialisation.set_target": SUPERVISOR,
    "socialisation.assign": SUPERVISOR,
    "socialisation.events": SIGNED_IN,
    "socialisation.create_event": BRANCH_STAFF,
    "socialisation.event": SIGNED_IN,
    "socialisation.add_attendance": BRANCH_STAFF,
    "socialisation.import_attendance": BRANCH_STAFF,
    "socialisation.add_material": BRANCH_STAFF,
    "socialisation.follow_up": BRANCH_STAFF,
    "socialisation.sheet_pdf": SIGNED_IN,
    "socialisation.material": SIGNED_IN,
    "api_admin.tokens": ADMIN,
    "api_admin.token_new": ADMIN,
    "api_admin.token_revoke": ADMIN,
    "api_docs.openapi_json": PUBLIC,
    "api_docs.docs_page": PUBLIC,
    "api_docs.static": PUBLIC,
    "api.companies": TOKEN,
    "api.company": TOKEN,
    "api.cases": TOKEN,
    "api.case": TOKEN,
    "api.letter_pdf": TOKEN,
    "api.sanctions": TOKEN,
    "api.registrations": TOKEN,
    "offline.manifest": PUBLIC,
    "offline.favicon": PUBLIC,
    "offline.service_worker": PUBLIC,
    "offline.page": BRANCH_STAFF,
    "offline.day": BRANCH_STAFF,
    "offline.token": BRANCH_STAFF,
    "offline.sync_step": BRANCH_STAFF,
    "offline.sync_reply": BRANCH_STAFF,
}

#: routes that change nothing although they accept POST (previews, sample renders, uploads to
#: compare), and routes whose records are not kept per branch (admins manage every branch)
READ_ONLY_POSTS = {"letters.preview_template", "letters.sample_pdf", "letters.verify"}
NOT_BRANCH_RECORDS = {"admin.branch_edit", "admin.user_edit", "admin.user_password_link",
                      "admin.user_reset_two_factor", "api_admin.token_revoke"}

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def url_map_app() -> Flask:
    """The app whose URL map the suite walks (no database needed to read the map)."""
    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


RULES = sorted(url_map_app().url_map.iter_rules(), key=lambda rule: rule.rule)


def rule_id(rule: Rule) -> str:
    return f"{rule.endpoint} {rule.rule}"


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


@pytest.fixture
def world(make_branch, make_user, make_company):
    """One record of every kind in branch KC-PKL, and users of another branch and region."""
    pkl = make_branch("KC-PKL", "Pekalongan", region="JATENG")
    tgl = make_branch("KC-TGL", "Tegal", region="JATENG")
    bdg = make_branch("KC-BDG", "Bandung", region="JABAR")
    officer = make_user(Role.OFFICER, branch=pkl)
    company = make_company(pkl, "PT Batik Pesisir", categories=(Category.PWBD,),
                           opened_on=date(2026, 1, 5))
    case = company.cases[0]
    letter_step = factories.step(case, "notification", date(2026, 1, 5), actor=officer)
    visit = case_service.log_step(officer, case, kind="visit", occurred_on=date(2026, 1, 6),
                                  today=date(2026, 1, 6),
                                  uploads=[Upload("foto.png", PNG)])
    # raw rows: only their ids are needed, and the sweep, the import and the monthly report
    # would each make many more rows (and PDFs) around them
    reminder = Reminder(branch_id=pkl.id, case_id=case.id, officer_id=officer.id,
                        rung_code="warning_1", kind="action_due", dedupe_key="security-test",
                        due_on=date(2026, 1, 20))
    holiday = BranchHoliday(branch_id=pkl.id, day=date(2026, 6, 1), name="Hari jadi kota")
    upload = CompanyImport(branch_id=pkl.id, user_id=officer.id, source="bpjs",
                           filename="daftar.csv", sha256="0" * 64, data=b"nama\nPT Baru\n")
    suggestion = CloseSuggestion(branch_id=pkl.id, case_id=case.id, npp="12345678")
    report = MonthlyReport(branch_id=pkl.id, period=date(2025, 12, 1), as_of=date(2026, 1, 2),
                           pdf=b"%PDF-1.4", sha256="0" * 64)
    closing = ClosingRequest(case_id=case.id, outcome="withdrawn", reason="Tutup usaha",
                             requested_on=date(2026, 1, 7))
    office = PartnerOffice(branch_id=pkl.id, kind="kejari", area="Kota Pekalongan",
                           name="Kejaksaan Negeri Kota Pekalongan",
                           head_title="Kepala Kejaksaan Negeri Kota Pekalongan")
    payment = money.add_payment(officer, company, kind="contribution", paid_on=date(2026, 1, 6),
                                amount=1_000_000, reference="TRF-1",
                                upload=Upload("bukti.png", PNG), today=date(2026, 1, 6))
    event = social.create_event(officer, pkl.id, {
        "held_on": date(2026, 1, 8), "place": "Aula Kecamatan Pekalongan Utara",
        "place_kind": "kecamatan_hall"})
    material = social.add_material(officer, event, Upload("materi.png", PNG))
    token, _secret = api_service.create_token(None, name="security-test", branch=pkl,
                                              region=None, scopes=["read"], expires_on=None,
                                              today=date(2026, 1, 6))
    sponsor = Sponsor(branch_id=pkl.id, code="PEMKOT-PKL", name="Pemerintah Kota Pekalongan",
                      kind="city", quota=10, months=12, starts_on=date(2026, 1, 1),
                      ends_on=date(2026, 12, 31))
    db.session.add_all([reminder, holiday, upload, suggestion, report, closing, office, sponsor])
    db.session.flush()
    worker_list = BeneficiaryImport(branch_id=pkl.id, sponsor_id=sponsor.id, filename="a.csv",
                                    data=b"NIK;Nama\n", sha256="0" * 64,
                                    report={"counts": {}, "rows": [],
                                            "covered_from": "2026-01-01",
                                            "covered_to": "2026-12-01", "contribution": 16800})
    renewal = Renewal(branch_id=pkl.id, sponsor_id=sponsor.id, ends_month=date(2026, 12, 1),
                      workers=3, dedupe_key="security-test")
    db.session.add_all([worker_list, renewal])
    inspection = Inspection(branch_id=pkl.id, case_id=case.id, company_id=company.id,
                            inspectors="Agus Prasetyo", planned_on=date(2026, 1, 8))
    db.session.add(inspection)
    joint = JointVisit(branch_id=pkl.id, case_id=case.id, partner_office_id=office.id,
                       proposed_on=date(2026, 1, 9), response="accepted",
                       filename="jawaban.png", content_type="image/png", data=PNG)
    db.session.add(joint)
    note = Notification(user_id=officer.id, kind="directive", dedupe_key="security-test",
                        subject="Arahan", body_text="Arahan", body_html="<p>Arahan</p>")
    db.session.add(note)
    job = BackgroundJob(kind="letter_batch", branch_id=pkl.id, user_id=officer.id,
                        state="done", result=b"%PDF-1.4", result_name="cetak.pdf",
                        result_type="application/pdf", outcome={"letters": 0, "visit_forms": 0})
    db.session.add(job)
    db.session.commit()
    reply = legal.add_reply(officer, case, received_on=date(2026, 1, 6), channel="letter",
                            sender="", content="Kami akan mendaftar.",
                            upload=Upload("surat.png", PNG), today=date(2026, 1, 6))
    promise = legal.add_commitment(officer, case, made_on=date(2026, 1, 6),
                                   promised_on=date(2026, 2, 2), today=date(2026, 1, 6),
                                   workers_promised=5, signatory_name="Budi")
    db.session.commit()
    return {
        "ids": {
            "company_id": company.id, "case_id": case.id, "step_id": letter_step.id,
            "letter_id": letter_step.letter.id, "proof_id": visit.proofs[0].id,
            "reminder_id": reminder.id, "holiday_id": holiday.id,
            "import_id": upload.id, "suggestion_id": suggestion.id, "report_id": report.id,
            "user_id": officer.id, "branch_id": pkl.id, "request_id": closing.id,
            "office_id": office.id, "payment_id": payment.id,
            "reply_id": reply.id, "commitment_id": promise.id,
            "inspection_id": inspection.id, "joint_visit_id": joint.id,
            "event_id": event.id, "material_id": material.id, "token_id": token.id,
            "sponsor_id": sponsor.id, "list_id": worker_list.id, "renewal_id": renewal.id,
            "notification_id": note.id, "job_id": job.id,
            "code": "notification", "filename": "app.css", "fmt": "csv", "token": "x",
        },
        "users": {
            "pkl": {Role.OFFICER: officer,
                    Role.SUPERVISOR: make_user(Role.SUPERVISOR, branch=pkl),
                    Role.REGIONAL: make_user(Role.REGIONAL, branch=pkl)},
            "tgl": {Role.OFFICER: make_user(Role.OFFICER, branch=tgl),
                    Role.SUPERVISOR: make_user(Role.SUPERVISOR, branch=tgl)},
            "bdg": {Role.REGIONAL: make_user(Role.REGIONAL, branch=bdg)},
            "admin": make_user(Role.ADMIN),
        },
    }


def build_url(rule: Rule, ids: dict[str, object]) -> str:
    """The rule's URL for the world's records; an unknown parameter fails the suite."""
    missing = [name for name in rule.arguments if name not in ids]
    assert not missing, (f"{rule_id(rule)}: the security suite has no sample record for "
                         f"{missing}; add one to the world fixture")
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", str(ids[name]), path)
    return path


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def access(rule: Rule) -> str | frozenset[str]:
    """Who may use the rule; an unlisted route is treated as open to any signed-in user (and
    fails `test_every_route_is_classified`)."""
    return ACCESS.get(rule.endpoint, SIGNED_IN)


def test_every_route_is_classified():
    """A new route must say who may use it before the suite passes."""
    endpoints = {rule.endpoint for rule in RULES}
    assert endpoints - ACCESS.keys() == set(), "routes missing from ACCESS"
    assert ACCESS.keys() - endpoints == set(), "ACCESS lists routes that no longer exist"


def test_only_the_listed_routes_are_public():
    """The views marked public are exactly the ones meant to be."""
    app = url_map_app()
    public = {endpoint for endpoint, view in app.view_functions.items()
              if getattr(view, "is_public", False)}
    assert public == {e for e, who in ACCESS.items() if who in (PUBLIC, TOKEN)} - {
        "static", "bootstrap.static", "api_docs.static"}


def request_all(client, rule: Rule, url: str, data: dict | None = None) -> dict[str, int]:
    """Each method of the rule once (forms with their CSRF token): method -> status code."""
    statuses = {}
    for method in methods(rule):
        if method in STATE_CHANGING:
            statuses[method] = post(client, url, data).status_code
        else:
            statuses[method] = client.open(url, method=method).status_code
    return statuses


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    """Every non-public route, with every method, redirects an anonymous visitor to sign in."""
    escaped = []
    for rule in RULES:
        if access(rule) in (PUBLIC, TOKEN):
            continue
        url = build_url(rule, world["ids"])
        for method in methods(rule):
            response = (post(client, url) if method in STATE_CHANGING
                        else client.open(url, method=method))
            if response.status_code != 302 or not response.location.startswith("/auth/login"):
                escaped.append(f"{method} {url}: {response.status_code}")
    assert escaped == []


def test_state_changing_routes_refuse_a_form_without_csrf_token(app, world):
    """A POST without the CSRF token is refused, by anyone, and changes nothing."""
    clients = {"public": app.test_client(), "admin": app.test_client(),
               "supervisor": app.test_client()}
    login(clients["admin"], world["users"]["admin"])
    login(clients["supervisor"], world["users"]["pkl"][Role.SUPERVISOR])
    before, accepted = audit_count(), []
    for rule in RULES:
        if not STATE_CHANGING & set(methods(rule)) or access(rule) == TOKEN:
            continue
        who = access(rule)
        client = clients["public" if who == PUBLIC else "admin" if who == ADMIN
                         else "supervisor"]
        url = build_url(rule, world["ids"])
        response = client.post(url, data={"notes": "x", "locale": "en",
                                          "email": "x@example.org"})
        if response.status_code != 400 or "formulir" not in response.get_data(as_text=True):
            accepted.append(f"POST {url}: {response.status_code}")
    assert accepted == []
    assert audit_count() == before


def test_the_api_takes_no_session_cookie(app, world):
    """Every API route answers 401 to a signed-in admin's cookie without a token, with every
    method, and changes nothing (its refusal alone is audited)."""
    client = app.test_client()
    login(client, world["users"]["admin"])
    before, wrong = changes_but_calls(), []
    for rule in RULES:
        if access(rule) != TOKEN:
            continue
        url = build_url(rule, world["ids"])
        for method in methods(rule):
            response = client.open(url, method=method, json={})
            if response.status_code != 401:
                wrong.append(f"{method} {url}: {response.status_code}")
    assert wrong == []
    assert changes_but_calls() == before


def changes_but_calls() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action != "api.call"))


RECORD_RULES = [r for r in RULES
                if access(r) not in (PUBLIC, TOKEN) and r.endpoint not in NOT_BRANCH_RECORDS
                and any(name.endswith("_id") for name in r.arguments)]


@pytest.mark.parametrize("outsider", ["tgl-officer", "tgl-supervisor", "bdg-regional"])
def test_records_of_another_branch_answer_404(client, world, outsider):
    """A user of another branch (or region) cannot tell that a record exists: 404 where the
    role may use the route at all, 403 (the role check, before any lookup) where it may not."""
    branch, role = outsider.split("-")
    login(client, world["users"][branch][role])
    before, wrong = audit_count(), []
    for rule in RECORD_RULES:
        expected = 404 if role in access(rule) else 403
        url = build_url(rule, world["ids"])
        data = {"notes": "x", "reason": "x", "until": "2026-12-01"}
        for method, status in request_all(client, rule, url, data).items():
            if status != expected:
                wrong.append(f"{method} {url}: {status}, not {expected}")
    assert wrong == []
    assert audit_count() == before


@pytest.mark.parametrize("role", sorted(Role.ALL))
def test_roles_without_the_right_are_refused(client, world, role):
    """Supervisor-, staff- and admin-only routes answer 403 to the other roles."""
    user = world["users"]["admin"] if role == Role.ADMIN else world["users"]["pkl"][role]
    login(client, user)
    before, wrong = audit_count(), []
    for rule in RULES:
        who = access(rule)
        if who in (PUBLIC, SIGNED_IN, TOKEN) or role in who:
            continue
        url = build_url(rule, world["ids"])
        for method, status in request_all(client, rule, url, {"notes": "x"}).items():
            if status != 403:
                wrong.append(f"{method} {url}: {status}")
    assert wrong == []
    assert audit_count() == before


@pytest.mark.parametrize("filename, content", [
    ("foto.jpg", b"<html><script>alert(1)</script></html>"),
    ("scan.pdf", PNG),
    ("foto.png.exe", PNG),
])
def test_uploads_with_a_lying_extension_are_refused(client, world, filename, content):
    """A proof file is judged by its content: a name that lies about it is refused."""
    login(client, world["users"]["pkl"][Role.OFFICER])
    case_id = world["ids"]["case_id"]
    steps_before = db.session.scalar(select(func.count(Step.id)))
    response = post(client, f"/cases/{case_id}/steps/new", {
        "kind": "phone_call", "occurred_on": "2026-01-07", "outcome": "", "notes": "",
        "proof": (io.BytesIO(content), filename)}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert filename in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Step.id))) == steps_before


def test_security_headers_forbid_inline_scripts_and_framing(client):
    """The CSP allows no inline script, forbids framing; nosniff and a referrer policy."""
    response = client.get("/auth/login")
    policy = dict(part.strip().split(" ", 1) for part in
                  response.headers["Content-Security-Policy"].split(";"))
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.get_data(as_text=True)  # no inline script to allow
