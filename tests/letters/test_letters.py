"""Letters: issuing, numbering, immutable PDFs, verification, templates, sandbox and fetcher."""

from __future__ import annotations

import html
import io
import logging
import re
import threading
from datetime import date

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import func, select

from outreach.cases import service as case_service
from outreach.cases.models import Category
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.letters import service
from outreach.letters.fetcher import AssetFetcher
from outreach.letters.models import Letter, LetterTemplate
from outreach.letters.render import pdf_text
from outreach.org.models import Role
from tests import factories
from tests.conftest import login, post

TODAY = date(2026, 3, 2)
BASE = "https://outreach.example.id"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def world(make_branch, make_user, make_company):
    branch = make_branch("KC-PKL", "Pekalongan")
    branch.head_name = "Dwi Ananda Pratama"
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    companies = [make_company(branch, f"PT Batik Pesisir {n}", categories=(Category.PWBD,),
                              director_name="Budi Santoso", address="Jl. Hayam Wuruk 10")
                 for n in range(1, 4)]
    db.session.commit()
    return {"branch": branch, "officer": officer, "supervisor": supervisor,
            "companies": companies}


def draft(world, index=0, on=TODAY) -> Letter:
    case = world["companies"][index].cases[0]
    step = case_service.log_step(world["officer"], case, kind="notification", occurred_on=on,
                                 today=TODAY)
    db.session.commit()
    return step.letter


def issue(world, letter) -> Letter:
    case_service.issue_letter(world["officer"], letter, TODAY, BASE)
    db.session.commit()
    return letter


def test_issued_letter_pdf_reads_right(app, world):
    """Does the PDF carry the number, the addressee and the date in Indonesian?"""
    with app.test_request_context():
        letter = issue(world, draft(world))
    text = pdf_text(letter.pdf)
    assert letter.number == "001/PKP/KC-PKL/III/2026"
    assert "001/PKP/KC-PKL/III/2026" in text
    assert "Pekalongan, 2 Maret 2026" in text
    assert "PT Batik Pesisir 1" in text and "Budi Santoso" in text
    assert "Dwi Ananda Pratama" in text
    assert f"{BASE}/verify/{letter.verify_code}" in text


def test_numbers_are_gapless_and_a_failed_render_uses_none(app, world):
    """A letter whose template breaks at issue takes no number; the next letter has no gap."""
    with app.test_request_context():
        first = issue(world, draft(world, 0))
        broken = draft(world, 1)
        # a raw row: saving a template checks it, and this one must break only at issue
        bad = LetterTemplate(branch_id=world["branch"].id, code="broken", version=1,
                             name="x", classification="PKP", subject="x",
                             body="{{ company.name.nonexistent() }}")
        db.session.add(bad)
        db.session.flush()
        broken.template_id = bad.id
        db.session.commit()
        with pytest.raises(ServiceError, match="baris 1"):
            case_service.issue_letter(world["officer"], broken, TODAY, BASE)
        db.session.rollback()
        assert db.session.get(Letter, broken.id).status == "draft"
        assert db.session.get(Letter, broken.id).number is None
        third = issue(world, draft(world, 2))
    assert [first.seq, third.seq] == [1, 2]


def test_stored_pdf_is_served_byte_for_byte(client, app, world):
    """Every download of an issued letter gives exactly the stored bytes."""
    with app.test_request_context():
        letter = issue(world, draft(world))
    login(client, world["officer"])
    first = client.get(f"/letters/{letter.id}.pdf")
    second = client.get(f"/letters/{letter.id}.pdf")
    assert first.mimetype == "application/pdf"
    assert first.data == second.data == letter.pdf


def test_company_timeline_links_a_letter_step_to_its_letter(client, app, world):
    """The step on the company's timeline opens its letter: the draft, then the issued one."""
    with app.test_request_context():
        letter = draft(world)
    company = world["companies"][0]
    login(client, world["officer"])
    link = f'href="/letters/{letter.id}">Surat (konsep)</a>'
    assert link in client.get(f"/companies/{company.id}").get_data(as_text=True)
    with app.test_request_context():
        issue(world, letter)
    page = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert f'href="/letters/{letter.id}">Surat {letter.number}</a>' in page


def test_issue_twice_gives_one_number(client, app, world):
    """A double click on Issue: one number, one letter."""
    with app.test_request_context():
        letter = draft(world)
    login(client, world["officer"])
    post(client, f"/letters/{letter.id}/issue", {"confirm": "y"})
    post(client, f"/letters/{letter.id}/issue", {"confirm": "y"})
    issued = db.session.scalars(select(Letter).where(Letter.number.is_not(None))).all()
    assert [(lt.id, lt.seq) for lt in issued] == [(letter.id, 1)]


def test_a_letter_is_in_indonesian_whoever_issues_it(client, app, world):
    """An officer who reads the app in English issues a letter: the app speaks English to
    them, the letter (an official document) is in Indonesian, dates included."""
    world["officer"].locale = "en"
    db.session.commit()
    with app.test_request_context():
        letter = draft(world)
    login(client, world["officer"])
    page = post(client, f"/letters/{letter.id}/issue", {"confirm": "y"}, follow_redirects=True)
    assert "Letter issued with number 001/PKP/KC-PKL/III/2026." in page.get_data(as_text=True)
    text = pdf_text(db.session.get(Letter, letter.id).pdf)
    assert "Pekalongan, 2 Maret 2026" in text
    assert "March" not in text


def _issue_in_thread(app, letter_id, officer_id, results, barrier):
    from outreach.org.models import User

    with app.app_context(), app.test_request_context():
        barrier.wait()
        try:
            letter = db.session.get(Letter, letter_id)
            officer = db.session.get(User, officer_id)
            case_service.issue_letter(officer, letter, TODAY, BASE)
            db.session.commit()
            results.append(letter.seq)
        except Exception as error:  # reported by the test
            db.session.rollback()
            results.append(repr(error))


@pytest.mark.parametrize("same_letter", [False, True])
def test_eight_concurrent_issuers(app, world, make_company, same_letter):
    """Eight issuers at once get eight different numbers without a gap (or one, for one letter)."""
    with app.test_request_context():
        drafts = [draft(world, 0)]
        for n in range(7):
            company = make_company(world["branch"], f"CV Ikan {n}", categories=(Category.PWBD,))
            step = case_service.log_step(world["officer"], company.cases[0], kind="notification",
                                         occurred_on=TODAY, today=TODAY)
            db.session.commit()
            drafts.append(step.letter)
    ids = [drafts[0].id] * 8 if same_letter else [d.id for d in drafts]
    results: list = []
    barrier = threading.Barrier(8)
    threads = [threading.Thread(target=_issue_in_thread,
                                args=(app, letter_id, world["officer"].id, results, barrier))
               for letter_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.session.expire_all()
    numbers = sorted(db.session.scalars(select(Letter.seq).where(Letter.seq.is_not(None))))
    if same_letter:
        assert numbers == [1]
        assert results == [1] * 8
    else:
        assert numbers == list(range(1, 9)), results
        assert len(set(results)) == 8


def test_verify_page_shows_only_public_facts_and_checks_the_file(client, app, world):
    """Anyone can check a letter: the page shows the facts and compares an uploaded PDF."""
    with app.test_request_context():
        letter = issue(world, draft(world))
    page = client.get(f"/verify/{letter.verify_code}").get_data(as_text=True)
    for fact in (letter.number, "2 Maret 2026", "Pekalongan", "PT Batik Pesisir 1",
                 letter.sha256):
        assert fact in page
    assert "Hayam Wuruk" not in page and "Budi Santoso" not in page
    same = post(client, f"/verify/{letter.verify_code}",
                {"pdf": (io.BytesIO(letter.pdf), "surat.pdf")},
                content_type="multipart/form-data")
    assert "identik" in same.get_data(as_text=True)
    tampered = bytearray(letter.pdf)
    tampered[len(tampered) // 2] ^= 0x01
    other = post(client, f"/verify/{letter.verify_code}",
                 {"pdf": (io.BytesIO(bytes(tampered)), "surat.pdf")},
                 content_type="multipart/form-data")
    assert "BUKAN" in other.get_data(as_text=True)
    assert client.get("/verify/NOSUCHCODE").status_code == 404


def test_template_error_is_shown_with_its_line_and_old_version_stays(client, app, world):
    """A broken template edit is refused with its line; the live version does not change."""
    world["supervisor"].locale = "en"
    db.session.commit()
    login(client, world["supervisor"])
    page = client.get("/letters/templates/notification").get_data(as_text=True)
    assert "Pemberitahuan Kewajiban" in page
    response = post(client, "/letters/templates/notification", {
        "subject": "Hal baru", "nature": "Biasa", "classification": "PKP", "copies": "",
        "body": "<p>Baris satu</p>\n<p>{% if %}</p>"})
    assert response.status_code == 400
    assert "line 2" in response.get_data(as_text=True)
    with app.test_request_context():
        assert service.current_template("notification", world["branch"].id).version == 1
    post(client, "/letters/templates/notification", {
        "subject": "Hal baru", "nature": "Biasa", "classification": "PKP", "copies": "",
        "body": "<p>Kepada {{ company.name }}, silakan mendaftar.</p>"})
    with app.test_request_context():
        current = service.current_template("notification", world["branch"].id)
    assert (current.version, current.subject) == (2, "Hal baru")


def test_editor_offers_only_variables_the_letters_know(client, app, world):
    """The editor lists the variables to insert beside the body (the officer's phone and the
    deadline among them); a body made of all of them is saved with no unknown variable."""
    login(client, world["supervisor"])
    page = client.get("/letters/templates/notification").get_data(as_text=True)
    assert "Sisipkan variabel" in page
    offered = re.findall(r'data-insert="([^"]+)"', html.unescape(page))
    assert "{{ officer.phone }}" in offered and "{{ letter.deadline }}" in offered
    response = post(client, "/letters/templates/notification", {
        "subject": "Hal", "nature": "Biasa", "classification": "PKP", "copies": "",
        "body": "<p>" + " ".join(offered) + "</p>"})
    assert response.status_code == 302
    with app.test_request_context():
        assert service.current_template("notification", world["branch"].id).version == 2


def test_reading_templates_writes_nothing(client, world):
    """The template list, the editor and its live preview read the template in force; only
    saving an edit stores a version."""
    login(client, world["supervisor"])
    assert "Pemberitahuan Kewajiban" in client.get("/letters/templates/notification").get_data(
        as_text=True)
    assert client.get("/letters/templates/").status_code == 200
    preview = post(client, "/letters/templates/notification/preview",
                   {"body": "<p>Kepada {{ company.name }}</p>"})
    assert preview.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(LetterTemplate)) == 0


def test_letter_keeps_the_template_version_it_was_made_from(app, world):
    """A draft made before an edit is issued with its own version."""
    with app.test_request_context():
        letter = draft(world)
        service.save_template(world["supervisor"], "notification", subject="Baru",
                              nature="Biasa", copies="", classification="PKP",
                              body="<p>Versi baru untuk {{ company.name }}</p>")
        db.session.commit()
        issue(world, letter)
    assert letter.template.version == 1
    assert "Versi baru" not in pdf_text(letter.pdf)


def test_a_draft_is_made_again_from_the_version_in_force(client, app, world):
    """A draft made before a template edit says which version it was made from and offers to
    be made again from the new one; issued, it then carries the new text."""
    world["officer"].locale = "en"
    db.session.commit()
    with app.test_request_context():
        letter = draft(world)
        service.save_template(world["supervisor"], "notification", subject="Baru",
                              nature="Biasa", copies="", classification="PKP",
                              body="<p>Versi baru untuk {{ company.name }}</p>")
        db.session.commit()
    login(client, world["officer"])
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "made from version 1" in page and "newer version (2)" in page
    post(client, f"/letters/{letter.id}/redraft")
    assert db.session.get(Letter, letter.id).template.version == 2
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "made from version 2" in page and "newer version" not in page
    again = post(client, f"/letters/{letter.id}/redraft", follow_redirects=True)
    assert "already made from the version in force" in again.get_data(as_text=True)
    post(client, f"/letters/{letter.id}/issue", {"confirm": "y"})
    assert "Versi baru untuk" in pdf_text(db.session.get(Letter, letter.id).pdf)


def test_live_preview_renders_sample_data(client, world):
    """The editor's preview renders the body on sample data and shows errors."""
    login(client, world["supervisor"])
    ok = post(client, "/letters/templates/warning_1/preview",
              {"body": "<p>{{ company.name }} / {{ branch.name }}</p>"})
    assert "PT Contoh Batik Sejahtera / Pekalongan" in ok.get_data(as_text=True)
    broken = post(client, "/letters/templates/warning_1/preview", {"body": "{{ company.name"})
    assert "alert-danger" in broken.get_data(as_text=True)
    officer = client.application.test_client()
    login(officer, world["officer"])
    assert post(officer, "/letters/templates/warning_1/preview", {"body": "x"}).status_code == 403


def test_two_versions_of_a_template_are_compared(client, world):
    """The editor shows what changed between two versions: lines removed and added."""
    login(client, world["supervisor"])
    with client.application.test_request_context():
        for text in ("Dengan hormat, kami ingatkan.", "Dengan hormat, kami tegur."):
            service.save_template(world["supervisor"], "warning_1", subject="Teguran",
                                  nature="Penting", copies="", classification="PKP",
                                  body=f"<p>{{{{ company.name }}}}</p>\n<p>{text}</p>")
    db.session.commit()
    versions = sorted(v.version for v in service.template_versions(
        "warning_1", world["supervisor"].branch_id))
    older, newer = versions[-2], versions[-1]
    page = html.unescape(client.get(f"/letters/templates/warning_1?from={older}&to={newer}")
                         .get_data(as_text=True))
    diff = page[page.index('id="template-diff"'):page.index("</pre>", page.index(
        'id="template-diff"'))]
    assert '<span class="diff-remove">-<p>Dengan hormat, kami ingatkan.</p></span>' in diff
    assert '<span class="diff-add">+<p>Dengan hormat, kami tegur.</p></span>' in diff
    plain = client.get("/letters/templates/warning_1").get_data(as_text=True)
    assert 'id="template-diff"' not in plain and 'id="compare-versions"' in plain


def test_misspelt_variables_are_named_at_preview_and_refused_at_save(client, world):
    """`{{ compnay.name }}` prints nothing: the preview names it (and `company.nama`, an
    attribute the company does not have), and saving is refused with the names."""
    login(client, world["supervisor"])
    body = "<p>{{ compnay.name }} {{ company.nama }} {{ company.name }}</p>"
    page = html.unescape(post(client, "/letters/templates/warning_1/preview",
                              {"body": body}).get_data(as_text=True))
    assert 'id="unknown-variables"' in page
    assert "company.nama, compnay" in page
    fine = post(client, "/letters/templates/warning_1/preview",
                {"body": "<p>{{ company.name }} {{ branch.head_name }}</p>"})
    assert 'id="unknown-variables"' not in fine.get_data(as_text=True)
    versions = db.session.scalar(select(func.count(LetterTemplate.id)))
    with client.application.test_request_context():
        with pytest.raises(ServiceError, match="variabel yang tidak ada pada surat: "
                           "company.nama, compnay"):
            service.save_template(world["supervisor"], "warning_1", subject="x", nature="Biasa",
                                  copies="", classification="PKP", body=body)
    db.session.rollback()
    assert db.session.scalar(select(func.count(LetterTemplate.id))) == versions


@pytest.mark.parametrize("body", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ company.__class__ }}{{ company.name.format.__globals__ }}",
    "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
])
def test_sandbox_escapes_do_not_work(app, world, body):
    """Template escapes reveal nothing of Python: refused or rendered empty."""
    with app.test_request_context():
        try:
            service.save_template(world["supervisor"], "notification", subject="x",
                                  nature="Biasa", copies="", classification="PKP", body=body)
        except ServiceError as error:
            assert "baris" in error.message
            return
        letter = issue(world, draft(world))
    text = pdf_text(letter.pdf)
    assert "class" not in text and "function" not in text and "builtins" not in text


def test_fetcher_refuses_files_and_network_in_templates(app, world, caplog):
    """An edited template naming local files or the network renders without them, logged."""
    body = ('<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
            '<link rel="attachment" href="file:///etc/passwd">'
            '<link rel="stylesheet" href="file:///etc/passwd">'
            '<p style="background: url(file:///etc/hostname)">Isi surat {{ company.name }}</p>')
    with app.test_request_context():
        service.save_template(world["supervisor"], "notification", subject="x", nature="Biasa",
                              copies="", classification="PKP", body=body)
        db.session.commit()
        with caplog.at_level(logging.WARNING):
            letter = issue(world, draft(world))
    reader = PdfReader(io.BytesIO(letter.pdf))
    assert "Isi surat PT Batik Pesisir 1" in pdf_text(letter.pdf)
    assert not reader.attachments
    assert b"root:x:0:0" not in letter.pdf
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("file:///etc/passwd" in m for m in refused)
    assert any("http://127.0.0.1:9" in m for m in refused)


def test_fetcher_serves_only_bundled_assets():
    """`asset:` names a bundled file; every other scheme is refused."""
    fetcher = AssetFetcher()
    assert b"<svg" in fetcher.fetch("asset:logo.svg").read()
    for url in ("file:///etc/passwd", "https://example.org/a.png", "data:text/plain,hi",
                "asset:../../config.py"):
        with pytest.raises(Exception, match="refused"):
            fetcher.fetch(url)


def test_referral_needs_approval_then_gives_a_dossier(client, app, world):
    """A legal referral letter waits for approval; once issued, the dossier has the chronology."""
    officer, supervisor = world["officer"], world["supervisor"]
    case = factories.company(world["branch"], "PT Batik Pesisir Lama", actor=officer,
                             categories=(Category.PWBD,), opened_on=date(2025, 9, 1),
                             director_name="Budi Santoso", address="Jl. Hayam Wuruk 10",
                             city="Kota Pekalongan").cases[0]
    factories.partner_offices(world["branch"], "Kota Pekalongan")
    with app.test_request_context():
        referral = factories.requested_referral(case, date(2026, 1, 12), actor=officer,
                                                approver=supervisor)
        with pytest.raises(ServiceError):
            case_service.issue_letter(officer, referral.letter, TODAY, BASE)
        db.session.rollback()
    login(client, supervisor)
    post(client, f"/steps/{referral.id}/approval", {"decision": "approve", "note": "Setuju"})
    officer_client = client.application.test_client()
    login(officer_client, officer)
    post(officer_client, f"/letters/{referral.letter_id}/issue", {"confirm": "y"})
    letter = db.session.get(Letter, referral.letter_id)
    assert letter.status == "issued"
    assert "Kejaksaan Negeri" in pdf_text(letter.pdf)
    dossier = client.get(f"/cases/{case.id}/dossier.pdf")
    text = pdf_text(dossier.data)
    assert "KRONOLOGI" in text
    for kind_label in ("Teguran Tertulis I", "Teguran Tertulis II", "Denda"):
        assert kind_label in text
    assert "Pak Joko" in text


def test_batch_prints_the_days_letters_and_tomorrows_visit_forms(client, app, world):
    """One PDF with a cover list, today's letters and the forms of tomorrow's visits, made by
    a job whose page gives it."""
    with app.test_request_context():
        first = issue(world, draft(world, 0))
        second = issue(world, draft(world, 1))
        # delivered on 12 February: ten working days (without Imlek) end on 2 March, and the
        # visit is due on Tuesday 3 March
        factories.delivered_step(world["companies"][2].cases[0], "notification",
                                 date(2026, 2, 12), today=TODAY, actor=world["officer"])
    login(client, world["officer"])
    job_page = post(client, "/letters/batch", {"day": "2026-03-02"}, follow_redirects=True)
    link = re.search(r'href="(/jobs/\d+/result)"', job_page.get_data(as_text=True)).group(1)
    response = client.get(link)
    text = pdf_text(response.data)
    pages = len(PdfReader(io.BytesIO(response.data)).pages)
    assert first.number in text and second.number in text
    assert "BERITA ACARA KUNJUNGAN" in text and "PT Batik Pesisir 3" in text
    assert pages >= 4
    assert text.index("Daftar cetak") < text.index(first.number.split("/")[0] + "/PKP")
