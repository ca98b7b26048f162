"""The installable web app: its manifest and service worker (at the root, so that it controls
every page), the offline page, the officer's day as JSON for the phone, and the endpoint a
step logged offline is sent to when the connection returns."""

from __future__ import annotations

import json
import os
import re
from datetime import date

from flask import Blueprint, current_app, jsonify, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from outreach.cases import service as cases
from outreach.cases.forms import StepForm
from outreach.cases.models import Case, Step
from outreach.cases.proofs import Upload
from outreach.core import clock
from outreach.core.errors import ServiceError
from outreach.core.guards import get_visible_or_404, public, staff_only
from outreach.core.views import submit
from outreach.extensions import db
from outreach.fieldwork.forms import keep_position
from outreach.ladder import rules as policy
from outreach.legal import service as legal
from outreach.legal.models import Reply
from outreach.offline import service
from outreach.offline.forms import ReplyEntryForm

bp = Blueprint("offline", __name__)

#: the app's colour (the navigation bar's): the phone's title bar and splash screen
THEME_COLOR = "#198754"
#: the static files of the app shell, kept by the service worker on install
SHELL_FILES = ("app.css", "app.js", "field.js", "offline/queue.js", "offline/app.js",
               "icons/icon-192.png", "icons/icon-512.png")
#: what the service worker imports (Workbox's loader, then the app's own worker code)
WORKER_SCRIPTS = ("vendor/workbox/workbox-sw.js", "offline/queue.js", "offline/sw.js")
NO_STORE = {"Cache-Control": "private, no-store"}


@bp.route("/manifest.webmanifest")
@public
def manifest():
    """The web app manifest: the phone installs outreach with its name, icons and start page
    (the tasks). Public: browsers fetch it without the session cookie."""
    def icon(size: int) -> str:
        return url_for("static", filename=f"icons/icon-{size}.png")

    body = {
        "name": _("Outreach · BPJS Ketenagakerjaan"),
        "short_name": _("Outreach"),
        "description": _("Tasks, visits and letters that bring employers into BPJS "
                         "Ketenagakerjaan."),
        "lang": str(get_locale() or "id"),
        "start_url": url_for("tasks.index"),
        "scope": "/",
        "id": url_for("tasks.index"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": icon(192), "sizes": "192x192", "type": "image/png",
             "purpose": "any"},
            {"src": icon(512), "sizes": "512x512", "type": "image/png",
             "purpose": "any"},
            {"src": icon(512), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    return current_app.response_class(json.dumps(body, ensure_ascii=False),
                                      mimetype="application/manifest+json")


@bp.route("/favicon.ico")
@public
def favicon():
    """The app's icon (the installable app's, in 16, 32 and 48 pixels) where browsers look
    for it first. Public, as the manifest."""
    with open(os.path.join(current_app.static_folder or "", "icons", "favicon.ico"),
              "rb") as icon:
        data = icon.read()
    return current_app.response_class(data, mimetype="image/vnd.microsoft.icon",
                                      headers={"Cache-Control": "public, max-age=86400"})


@bp.route("/sw.js")
@public
def service_worker():
    """The service worker, served from the root so that its scope is the whole app: the
    shell's files with their revisions, then Workbox and the app's worker code."""
    settings = {"shell": _shell(), "offline": url_for("offline.page"),
                "token": url_for("offline.token"),
                "workbox": url_for("static", filename=WORKER_SCRIPTS[0]).rsplit("/", 1)[0]}
    scripts = ", ".join(json.dumps(url_for("static", filename=name)) for name in WORKER_SCRIPTS)
    body = f"self.OUTREACH = {json.dumps(settings)};\nimportScripts({scripts});\n"
    return current_app.response_class(body, mimetype="text/javascript", headers={
        "Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


def _shell() -> list[dict[str, str | None]]:
    """The shell's files as the pages link them: each address carries its file's revision
    (`?v=`), so the worker keeps a file again only when it changed."""
    names = dict.fromkeys((*SHELL_FILES, *WORKER_SCRIPTS[1:]))
    files = [{"url": url_for("static", filename=name), "revision": None} for name in names]
    bootstrap = current_app.extensions["bootstrap"]
    tags = str(bootstrap.load_css()) + str(bootstrap.load_js())
    files += [{"url": url, "revision": None} for url in re.findall(r'(?:href|src)="([^"]+)"', tags)]
    return files


@bp.route("/offline/")
@staff_only
def page():
    """The day kept on the phone and the entries not sent yet, drawn from the phone's own
    storage (this page is what the service worker shows when the network is gone)."""
    return render_template("offline/page.html", labels=_page_labels())


def _page_labels() -> dict[str, str]:
    return {
        "saved": _("Saved %(time)s", time="{time}"),
        "never": _("The day is not saved on this phone yet: open My tasks while online."),
        "tasks": _("Tasks"), "companies": _("Companies of the day"),
        "overdue": _("overdue"), "due": _("due %(day)s", day="{day}"),
        "director": _("Director"), "address": _("Address"), "phone": _("Phone"),
        "workers": _("Workers: %(registered)s of %(estimated)s registered",
                     registered="{registered}", estimated="{estimated}"),
        "stage": _("Stage"), "next": _("Next step"), "next_due": _("due %(day)s", day="{day}"),
        "allowed": _("Allowed today"), "none_allowed": _("No step may be taken today."),
        "last_steps": _("Last steps"), "no_steps": _("No steps yet."),
        "met": _("Met %(name)s", name="{name}"),
        "log": _("Log a step"), "reply": _("Record a reply"),
        "pending": _("Not sent yet"),
        "none_pending": _("Every entry made on this phone has been sent."),
        "waiting": _("Waiting for a connection: it is sent as soon as the phone is online."),
        "conflict": _("The case changed on the server after you made this entry. Compare "
                      "both and decide: nothing is sent until you do."),
        "refused": _("The server refused this entry:"),
        "yours": _("Your entry (kept on this phone)"), "now": _("The case now (server)"),
        "send_anyway": _("Send my entry anyway"), "send_again": _("Send again"),
        "discard": _("Discard my entry"),
        "confirm_discard": _("Discard this entry? It was never saved on the server and cannot "
                             "be recovered."),
        "photos": _("Photos: %(names)s", names="{names}"),
        "queued": _("Saved on this phone. It will be sent when the connection returns."),
        "sent": _("Sent: %(count)s entries saved on the server.", count="{count}"),
    }


@bp.route("/offline/day.json")
@staff_only
def day():
    """The signed-in officer's tasks of today and their companies, for reading offline."""
    data = service.officer_day(current_user, clock.today(), clock.now())
    for case in data["cases"]:
        case["log_url"] = url_for("cases.log_step", case_id=case["id"])
        case["company_url"] = url_for("companies.detail", company_id=case["company"]["id"])
        case["sync_url"] = url_for("offline.sync_step", case_id=case["id"])
        case["answer_url"] = url_for("legal.case_answer", case_id=case["id"])
    data["user_id"] = current_user.id
    return jsonify(data), 200, NO_STORE


@bp.route("/offline/token")
@staff_only
def token():
    """A fresh form token for sending the phone's entries (the one in a page saved in the
    morning may have expired), and whose entries they may be."""
    return jsonify({"csrf_token": generate_csrf(), "user_id": current_user.id}), 200, NO_STORE


def _located(form: StepForm, step: Step, today: date) -> Step:
    """Keep the position the phone recorded with the entry, as the step form does."""
    keep_position(current_user, step, form, today)
    return step


@bp.route("/offline/cases/<int:case_id>/steps", methods=["POST"])
@staff_only
def sync_step(case_id: int):
    """A step logged on the phone, sent with its idempotency key: saved (201), already saved
    by an earlier send (200, the same step), the case changed meanwhile (409, with the case
    as it is now, for the officer to compare), or refused (422, with the reasons)."""
    case = get_visible_or_404(Case, case_id)
    today = clock.today()
    form = StepForm()
    form.kind.choices = [(v.rung.code, v.rung.name) for v in policy.options(case, today)]
    key = (form.client_key.data or "").strip()
    if not key:
        return _refused([_("This entry has no key: it was not saved.")])
    try:
        made = cases.step_by_key(current_user, key)
    except ServiceError as error:
        return _refused([error.message])
    if made is not None and made.case_id == case.id:
        return _saved(made, replayed=True)
    expected = _version(form.version.data)
    outcome = submit(form, lambda: _located(form, cases.log_step(
        current_user, case, kind=form.kind.data, occurred_on=form.occurred_on.data,
        today=today, outcome=form.outcome.data or "", notes=form.notes.data or "",
        uploads=_uploads(form), expected_version=expected,
        max_proof_bytes=current_app.config["PROOF_MAX_BYTES"],
        met_name=form.met_name.data or "", met_position=form.met_position.data or "",
        client_key=key), today))
    if outcome:
        return _saved(outcome.value, replayed=False)
    made = db.session.scalar(db.select(Step).where(Step.client_key == key))
    if made is not None and made.case_id == case.id:  # a send that arrived at the same moment
        return _saved(made, replayed=True)
    if expected is not None and expected != case.version:
        return jsonify({"status": "conflict", "message": _(
            "Someone changed this case after you made this entry on the phone (it was "
            "version %(yours)s, it is now version %(now)s): compare both and decide.",
            yours=expected, now=case.version),
            "version": case.version, "case": service.case_now(case, today)}), 409, NO_STORE
    return _refused(_messages(form) or [_("The entry was not saved.")])


@bp.route("/offline/cases/<int:case_id>/replies", methods=["POST"])
@staff_only
def sync_reply(case_id: int):
    """An employer's reply recorded on the phone, sent with its idempotency key: saved (201),
    already saved by an earlier send (200, the same reply), or refused (422, the reasons). A
    reply is what the employer said: it never conflicts with a change of the case."""
    case = get_visible_or_404(Case, case_id)
    form = ReplyEntryForm()
    key = (form.client_key.data or "").strip()
    if not key:
        return _refused([_("This entry has no key: it was not saved.")])
    try:
        made = legal.reply_by_key(current_user, key)
    except ServiceError as error:
        return _refused([error.message])
    if made is None:
        outcome = submit(form, lambda: legal.add_reply(
            current_user, case, received_on=form.received_on.data, channel=form.channel.data,
            sender=form.sender.data or "", content=form.content.data or "",
            upload=_upload(form.attachment.data), today=clock.today(),
            max_bytes=current_app.config["PROOF_MAX_BYTES"], client_key=key))
        if not outcome:
            made = db.session.scalar(db.select(Reply).where(Reply.client_key == key))
            if made is None or made.case_id != case.id:
                return _refused(_messages(form) or [_("The entry was not saved.")])
        else:
            return _reply_saved(outcome.value, replayed=False)
    if made.case_id != case.id:
        return _refused([_("This entry was already saved for another case.")])
    return _reply_saved(made, replayed=True)


def _reply_saved(reply: Reply, *, replayed: bool):
    return jsonify({"status": "saved", "replayed": replayed, "reply_id": reply.id,
                    "company_url": url_for("legal.case_answer", case_id=reply.case_id)}), \
        200 if replayed else 201, NO_STORE


def _messages(form) -> list[str]:
    """A form's refusals as sentences: the form's own, then each field's with its label."""
    return list(form.form_errors) + [
        f"{getattr(form, name).label.text}: {message}" if getattr(form, name).label.text
        else message
        for name, errors in form.errors.items() if name and name != "csrf_token"
        for message in errors]


def _saved(step: Step, *, replayed: bool):
    return jsonify({"status": "saved", "replayed": replayed, "step_id": step.id,
                    "version": step.case.version,
                    "company_url": url_for("companies.detail",
                                           company_id=step.case.company_id)}), \
        200 if replayed else 201, NO_STORE


def _refused(messages: list[str]):
    return jsonify({"status": "refused", "message": " ".join(messages)}), 422, NO_STORE


def _version(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _upload(data) -> Upload | None:
    if not data or not getattr(data, "filename", ""):
        return None
    return Upload(data.filename, data.read(current_app.config["PROOF_MAX_BYTES"] + 1))


def _uploads(form: StepForm) -> list[Upload]:
    limit = current_app.config["PROOF_MAX_BYTES"]
    return [Upload(f.filename or "", f.read(limit + 1)) for f in (form.proof.data or [])
            if getattr(f, "filename", "")]

