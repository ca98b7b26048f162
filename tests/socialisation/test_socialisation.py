"""Socialisation: coverage by hand, attendance and follow-up tasks, the sign-in sheet, the
export, scoping, and the `flask coverage` command."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from outreach.cases.models import Category, Step
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.letters.render import pdf_text
from outreach.org.models import Role
from outreach.socialisation import rules, service
from outreach.socialisation.models import SocialisationEvent
from outreach.tasks.models import Reminder, ReminderKind
from tests import factories
from tests.conftest import login, post

TODAY = date(2026, 6, 30)
EVENT_DAY = date(2026, 3, 10)
UTARA, BARAT = "Pekalongan Utara", "Pekalongan Barat"
COMPLIANT = {"business_size": "micro", "programs": "JKK,JKM", "workers_estimated": 5,
             "workers_registered": 5}
MISSING = {"business_size": "micro", "programs": "JKK,JKM", "workers_estimated": 10,
           "workers_registered": 4}


def added(company, day: date):
    """Say when the company was added to the branch (the scope reads it)."""
    company.created_at = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    db.session.commit()
    return company


def event_for(branch, actor, held_on: date = EVENT_DAY, **values) -> SocialisationEvent:
    made = service.create_event(actor, branch.id, {
        "held_on": held_on, "place": "Aula Kecamatan Pekalongan Utara",
        "place_kind": "kecamatan_hall", "kecamatan": UTARA, "partner_kind": "disnaker",
        "partner_name": "Dinas Tenaga Kerja Kota Pekalongan", **values})
    db.session.commit()
    return made


@pytest.fixture
def small_branch(make_branch, make_user):
    """A branch of seven companies whose coverage of 2026 is worked out by hand below."""
    pkl = make_branch("KC-PKL", "Pekalongan")
    officer = make_user(Role.OFFICER, branch=pkl)
    company = factories.company
    # A: known since 2025, compliant, never a case: out of scope
    a = added(company(pkl, "PT Alpha", kecamatan=UTARA, sector="Batik", **COMPLIANT),
              date(2025, 5, 5))
    # B: compliant now, but its case was open on 1 January (closed in February): in scope
    b = added(company(pkl, "PT Bravo", kecamatan=BARAT, sector="Batik", **COMPLIANT),
              date(2025, 5, 5))
    factories.close(factories.open_case(b, today=date(2025, 11, 3)), date(2026, 2, 2))
    # G: compliant, its case closed before 1 January: out of scope
    g = added(company(pkl, "PT Golf", kecamatan=BARAT, sector="Batik", **COMPLIANT),
              date(2025, 5, 5))
    factories.close(factories.open_case(g, today=date(2025, 3, 3)), date(2025, 9, 1))
    # C: workers missing, a notification delivered in January: in scope, reached
    c = added(company(pkl, "PT Charlie", kecamatan=UTARA, sector="Perikanan", **MISSING),
              date(2025, 5, 5))
    case_c = factories.open_case(c, today=date(2026, 1, 5))
    factories.delivered_step(case_c, "notification", date(2026, 1, 6))
    # D: added in February, attended the March event: in scope, reached
    d = added(company(pkl, "PT Delta", kecamatan=UTARA, sector="Batik", **MISSING),
              date(2026, 2, 1))
    # E: added in February, a call nobody answered: in scope, not reached
    e = added(company(pkl, "PT Echo", kecamatan=BARAT, sector="Perikanan", **MISSING),
              date(2026, 2, 1))
    case_e = factories.open_case(e, today=date(2026, 2, 2))
    factories.step(case_e, "phone_call", date(2026, 2, 3), outcome="unreachable")
    # F: workers missing, reached only last year: in scope, not reached
    f = added(company(pkl, "PT Foxtrot", kecamatan=BARAT, sector="Pertanian", **MISSING),
              date(2025, 5, 5))
    case_f = factories.open_case(f, today=date(2025, 6, 2))
    factories.delivered_step(case_f, "notification", date(2025, 6, 3))
    # H: added after the year: out of scope
    h = added(company(pkl, "PT Hotel", kecamatan=UTARA, **MISSING), date(2027, 1, 4))
    event = event_for(pkl, officer)
    service.add_attendance(officer, event, [d.id], EVENT_DAY)
    db.session.commit()
    return {"branch": pkl, "officer": officer, "event": event,
            "ids": {n: x.id for n, x in zip("abcdefgh", (a, b, c, d, e, f, g, h), strict=True)}}


def test_coverage_of_a_small_branch_computed_by_hand(small_branch):
    """Scope B, C, D, E, F (5); reached C (letter delivered) and D (event): 40%."""
    result = service.coverage(small_branch["branch"], 2026, TODAY)
    ids = small_branch["ids"]
    assert (result.in_scope, result.reached, result.percent) == (5, 2, 40.0)
    assert sorted(result.not_reached_ids) == sorted([ids["b"], ids["e"], ids["f"]])
    by_kecamatan = {g.name: (g.in_scope, g.reached, g.percent) for g in result.by_kecamatan}
    assert by_kecamatan == {UTARA: (2, 2, 100.0), BARAT: (3, 0, 0.0)}
    by_sector = {g.name: (g.in_scope, g.reached) for g in result.by_sector}
    assert by_sector == {"Batik": (2, 1), "Perikanan": (2, 1), "Pertanian": (1, 0)}
    # 2 reached in the 181 days to 30 June: 3 more take ceil(3 / (2/181)) = 272 days
    assert (result.target, result.target_on) == (5, date(2027, 3, 29))
    weeks = {w.starts_on: w.reached for w in result.weeks}
    # weeks of seven days from 1 January: C in the first (6 January), D on 10 March
    assert weeks[date(2026, 1, 1)] == 1 and weeks[date(2026, 2, 26)] == 1
    assert weeks[date(2026, 3, 5)] == 2 and len(result.weeks) == 26
    # last year: only F (reached in June 2025) and the companies then known
    assert service.coverage(small_branch["branch"], 2025, TODAY).reached == 1


def test_a_target_changes_the_day_it_is_reached(small_branch, make_user):
    """A target of 2 is already reached: on the day of the second company."""
    supervisor = make_user(Role.SUPERVISOR, branch=small_branch["branch"])
    service.set_target(supervisor, small_branch["branch"].id, 2026, "", 2)
    db.session.commit()
    result = service.coverage(small_branch["branch"], 2026, TODAY)
    assert (result.target, result.target_set, result.target_on) == (2, True, EVENT_DAY)


def test_the_reach_rule_agrees_in_python_and_sql(small_branch):
    """`step_reaches` and `reaching_step_sql` pick the same steps."""
    steps = list(db.session.scalars(select(Step)))
    chosen = set(db.session.scalars(select(Step.id).where(
        rules.reaching_step_sql(date(2000, 1, 1), date(2100, 12, 31)))))
    assert chosen == {s.id for s in steps
                      if rules.step_reaches(s.kind, s.outcome, s.delivery_status)}
    assert chosen  # the delivered notifications


def test_attendees_still_not_compliant_get_a_follow_up_task(client, make_branch, make_user):
    """After the event, an attendee with workers missing gets a task for its officer on its
    case; a compliant one gets none; one without a case is named instead."""
    pkl = make_branch()
    officer = make_user(Role.OFFICER, branch=pkl)
    behind = factories.company(pkl, "PT Belum Daftar", categories=(Category.PWBD,),
                               **MISSING)
    behind.officer_id = officer.id
    done = factories.company(pkl, "PT Sudah Lengkap", **COMPLIANT)
    no_case = factories.company(pkl, "PT Tanpa Kasus", **MISSING)
    db.session.commit()
    today = date.today()
    event = event_for(pkl, officer, held_on=today)
    login(client, officer)
    response = post(client, f"/socialisation/events/{event.id}/attendance",
                    {"company_ids": [behind.id, done.id, no_case.id], "person": "Bu Sri"},
                    follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "PT Tanpa Kasus" in page and "1 tugas tindak lanjut" in page
    tasks = list(db.session.scalars(select(Reminder)))
    assert [(t.kind, t.officer_id, t.case.company_id) for t in tasks] == [
        (ReminderKind.FOLLOW_UP, officer.id, behind.id)]
    # the officer finds it on the task list, saying why
    task_page = client.get("/tasks/").get_data(as_text=True)
    assert "PT Belum Daftar" in task_page and "sosialisasi" in task_page
    # asking again makes no second task
    post(client, f"/socialisation/events/{event.id}/follow-up")
    assert len(list(db.session.scalars(select(Reminder)))) == 1


def test_an_attendance_list_is_imported_all_or_nothing(client, make_branch, make_user):
    """A list naming a company the branch does not know records nothing and says which row;
    the corrected list records every company, matched by NPP or name."""
    pkl = make_branch()
    officer = make_user(Role.OFFICER, branch=pkl)
    first = factories.company(pkl, "PT Batik Pesisir", npp="12345678")
    second = factories.company(pkl, "CV Ikan Segar")
    event = event_for(pkl, officer, held_on=date(2026, 3, 10))
    login(client, officer)
    bad = "Nama Perusahaan;NPP;Nama Peserta\nPT Batik Pesisir;;Pak Joko\nPT Tidak Ada;;Bu Ani\n"
    response = post(client, f"/socialisation/events/{event.id}/attendance-list",
                    {"file": (io.BytesIO(bad.encode()), "hadir.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Baris 3: PT Tidak Ada" in response.get_data(as_text=True)
    assert db.session.get(SocialisationEvent, event.id).attendance == []
    good = ("Nama Perusahaan;NPP;Nama Peserta\nBatik Pesisir;12345678;Pak Joko\n"
            "CV Ikan Segar;;Bu Ani\n")
    response = post(client, f"/socialisation/events/{event.id}/attendance-list",
                    {"file": (io.BytesIO(good.encode()), "hadir.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    rows = db.session.get(SocialisationEvent, event.id).attendance
    assert {(r.company_id, r.person) for r in rows} == {(first.id, "Pak Joko"),
                                                        (second.id, "Bu Ani")}


def test_the_sign_in_sheet_lists_the_expected_companies(client, small_branch):
    """The printed sheet names the event, its place and partner, and the companies expected,
    in Indonesian, with numbered blank lines for walk-ins."""
    login(client, small_branch["officer"])
    response = client.get(f"/socialisation/events/{small_branch['event'].id}/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Daftar hadir" in text and "10 Maret 2026" in text
    assert "Aula Kecamatan Pekalongan Utara" in text and "UU 24/2011 pasal 15" in text
    assert "Dinas Tenaga Kerja Kota Pekalongan" in text
    assert "PT Delta" in text and "Tanda tangan" in text and "Jabatan" in text
    assert "\n13" in text or " 13" in text  # one expected company and twelve blank lines


def test_materials_are_attached_with_a_limit(client, small_branch):
    """A PDF is attached and downloaded; a file that is not a PDF or photo is refused."""
    login(client, small_branch["officer"])
    url = f"/socialisation/events/{small_branch['event'].id}/materials"
    refused = post(client, url, {"material": (io.BytesIO(b"MZ\x90\x00"), "slide.exe")},
                   content_type="multipart/form-data")
    assert refused.status_code == 400
    pdf = b"%PDF-1.4\n%materi\n"
    assert post(client, url, {"material": (io.BytesIO(pdf), "materi.pdf")},
                content_type="multipart/form-data").status_code == 302
    material = db.session.get(SocialisationEvent, small_branch["event"].id).materials[0]
    download = client.get(f"/socialisation/materials/{material.id}")
    assert download.status_code == 200 and download.data == pdf
    assert db.session.scalar(select(AuditEvent.entity_id).where(
        AuditEvent.action == "download.event_material")) == small_branch["event"].id


def test_the_companies_not_reached_are_exported(client, small_branch):
    """The export lists exactly the companies in scope not reached, in CSV and XLSX."""
    login(client, small_branch["officer"])
    csv_text = client.get("/socialisation/export.csv?year=2026").data.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("Nama perusahaan;NPP")
    assert sorted(line.split(";")[0] for line in lines[1:]) == [
        "PT Bravo", "PT Echo", "PT Foxtrot"]
    xlsx = client.get("/socialisation/export.xlsx?year=2026")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    names = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["PT Bravo", "PT Echo", "PT Foxtrot"]
    # both exports are in the data-access log
    assert [e.changes["format"] for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "export.not_reached").order_by(AuditEvent.id))] == ["csv", "xlsx"]


def test_a_supervisor_gives_companies_not_reached_to_an_officer(client, small_branch,
                                                                make_user):
    """Bulk assignment sets the officer of every chosen company, with an audit entry each."""
    supervisor = make_user(Role.SUPERVISOR, branch=small_branch["branch"])
    ids = small_branch["ids"]
    login(client, supervisor)
    response = post(client, "/socialisation/assign?year=2026",
                    {"company_ids": [ids["b"], ids["e"]],
                     "officer": small_branch["officer"].id}, follow_redirects=True)
    assert "2 perusahaan" in response.get_data(as_text=True)
    from outreach.companies.models import Company

    assert {db.session.get(Company, ids[k]).officer_id for k in "be"} == {
        small_branch["officer"].id}
    assert len(list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "company", AuditEvent.action == "update")))) == 2


def test_another_branch_sees_none_of_the_events(client, small_branch, make_branch, make_user):
    """An officer of Tegal does not see Pekalongan's events, their sheets or its coverage."""
    tgl = make_branch("KC-TGL", "Tegal")
    outsider = make_user(Role.OFFICER, branch=tgl)
    login(client, outsider)
    event_id = small_branch["event"].id
    listing = client.get("/socialisation/events/?year=2026").get_data(as_text=True)
    assert f"/socialisation/events/{event_id}" not in listing
    assert client.get(f"/socialisation/events/{event_id}").status_code == 404
    assert client.get(f"/socialisation/events/{event_id}/sheet.pdf").status_code == 404
    page = client.get("/socialisation/?year=2026").get_data(as_text=True)
    assert "PT Bravo" not in page and "Tegal" in page
    assert post(client, f"/socialisation/events/{event_id}/attendance",
                {"company_ids": [small_branch["ids"]["a"]]}).status_code == 404


def test_the_coverage_page_shows_the_figures(client, small_branch):
    """The page shows in scope, reached, percent, the tables and the list not reached."""
    login(client, small_branch["officer"])
    page = client.get("/socialisation/?year=2026").get_data(as_text=True)
    assert 'id="in-scope">5<' in page and 'id="reached">2<' in page
    assert "40,0%" in page and "<svg" in page and "Target: 5" in page
    assert "PT Foxtrot" in page and "PT Delta" not in page.split('id="not-reached"')[1]


def test_the_coverage_command_prints_json(app, small_branch):
    """`flask coverage --branch KC-PKL --year 2026 --json` prints the figures."""
    result = app.test_cli_runner().invoke(args=["coverage", "--branch", "KC-PKL", "--year",
                                                "2026", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["in_scope"], data["reached"]) == (5, 2)
    assert data["by_kecamatan"][UTARA] == {"in_scope": 2, "reached": 2, "percent": 100.0}
    unknown = app.test_cli_runner().invoke(args=["coverage", "--branch", "KC-XXX"])
    assert unknown.exit_code == 2


def test_the_demo_has_events_in_the_four_kecamatan(app):
    """`demo seed` holds an event in each kecamatan of Pekalongan this year, counted in its
    coverage (a dozen companies are all reached by their cases' steps and the events)."""
    from outreach.org import service as org

    result = app.test_cli_runner().invoke(args=["demo", "seed", "--companies", "12"])
    assert result.exit_code == 0, result.output
    branch = org.find_branch("KC-PKL")
    today = date.today()
    events = list(db.session.scalars(select(SocialisationEvent)))
    kecamatan = {e.kecamatan for e in events}
    assert kecamatan == {"Pekalongan Utara", "Pekalongan Barat", "Pekalongan Timur",
                         "Pekalongan Selatan"}
    figures = service.coverage(branch, today.year, today)
    attended = {row.company_id for e in events for row in e.attendance}
    assert attended and not attended & set(figures.not_reached_ids)
    assert 0 < figures.reached <= figures.target == figures.in_scope


def test_coverage_and_target_of_one_city_or_regency(client, small_branch, make_user):
    """A supervisor sets the target of one regency the branch serves: the page for that
    regency counts only its companies; an officer may not set targets."""
    pkl = small_branch["branch"]
    factories.company(pkl, "PT Kabupaten Satu", city="Kab. Pekalongan", **MISSING)
    factories.company(pkl, "PT Kabupaten Dua", city="Kabupaten Pekalongan", **MISSING)
    supervisor = make_user(Role.SUPERVISOR, branch=pkl)
    login(client, supervisor)
    area = "Kabupaten Pekalongan"
    assert area in service.areas(pkl.id)
    response = post(client, f"/socialisation/target?year=2026&area={area}", {"companies": 1},
                    follow_redirects=True)
    assert "Target disimpan." in response.get_data(as_text=True)
    regency = service.coverage(pkl, 2026, TODAY, area)
    assert (regency.in_scope, regency.reached, regency.target) == (2, 0, 1)
    assert service.coverage(pkl, 2026, TODAY).target == 7  # the branch: every company in scope
    page = client.get(f"/socialisation/?year=2026&area={area}").get_data(as_text=True)
    assert "PT Kabupaten Satu" in page and "PT Foxtrot" not in page
    officer = small_branch["officer"]
    post(client, "/auth/logout")
    login(client, officer)
    assert post(client, "/socialisation/target?year=2026", {"companies": 3}).status_code == 403
