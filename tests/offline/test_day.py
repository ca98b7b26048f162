"""The officer's day taken along, and the installable app's manifest and service worker."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from PIL import Image

from outreach.cases.models import Category
from outreach.extensions import db
from outreach.org.models import Role
from outreach.tasks.models import Reminder
from tests import factories
from tests.conftest import login
from tests.tasks.test_reminders import at

TODAY = date(2026, 3, 2)


def task(case, officer, rung: str = "visit", due_on: date = TODAY) -> Reminder:
    reminder = Reminder(branch_id=case.branch_id, case_id=case.id, officer_id=officer.id,
                        rung_code=rung, kind="action_due",
                        dedupe_key=f"day-test-{case.id}-{officer.id}", due_on=due_on)
    db.session.add(reminder)
    return reminder


@pytest.fixture
def world(make_branch, make_user, make_company):
    """Siti's two tasks in Pekalongan (one overdue), a colleague's task, and a task of Siti's
    on a company of Tegal (its case moved there after the task was made)."""
    pkl = make_branch("KC-PKL", "Pekalongan")
    tgl = make_branch("KC-TGL", "Tegal")
    siti = make_user(Role.OFFICER, branch=pkl, name="Siti Rahmawati")
    joko = make_user(Role.OFFICER, branch=pkl, name="Joko Susilo")
    batik = make_company(pkl, "PT Batik Pesisir", categories=(Category.PWBD,),
                         officer_id=siti.id, director_name="Budi Santoso",
                         address="Jl. Hayam Wuruk 10", kecamatan="Pekalongan Barat",
                         phone="0285 421234", workers_estimated=40, workers_registered=12)
    factories.step(batik.cases[0], "notification", date(2026, 1, 5), actor=siti,
                   notes="Surat pertama diantar ke kantor.")
    tenun = make_company(pkl, "UD Tenun Jaya", categories=(Category.PDS_TK,), officer_id=siti.id)
    colleague = make_company(pkl, "CV Rekan Kerja", categories=(Category.PWBD,),
                             officer_id=joko.id)
    tegal = make_company(tgl, "CV Tegal Bahari", categories=(Category.PWBD,))
    task(batik.cases[0], siti)
    task(tenun.cases[0], siti, rung="notification", due_on=date(2026, 2, 20))
    task(colleague.cases[0], joko)
    task(tegal.cases[0], siti)
    db.session.commit()
    return {"siti": siti, "batik": batik}


def test_the_day_holds_the_officers_own_tasks_and_their_companies(client, world):
    """Does the day hold Siti's tasks (overdue first) and, for each company, its profile, the
    open case with the steps allowed today and the last steps, and never a colleague's task
    or a company of another branch?"""
    with at(TODAY, 7):
        login(client, world["siti"])
        response = client.get("/offline/day.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    day = response.json
    assert [(t["company"], t["rung_name"], t["overdue"]) for t in day["tasks"]] == [
        ("UD Tenun Jaya", "Surat Pemberitahuan", True),
        ("PT Batik Pesisir", "Kunjungan", False)]
    assert [c["company"]["name"] for c in day["cases"]] == ["PT Batik Pesisir", "UD Tenun Jaya"]
    text = json.dumps(day, ensure_ascii=False)
    assert "CV Rekan Kerja" not in text and "CV Tegal Bahari" not in text
    batik = day["cases"][0]
    assert batik["company"]["director"] == "Budi Santoso"
    assert batik["company"]["phone"] == "0285 421234"
    assert (batik["company"]["workers_registered"], batik["company"]["workers_estimated"]) == (
        12, 40)
    assert "Kunjungan" in [r["name"] for r in batik["allowed"]]
    assert "Surat Peringatan II" not in [r["name"] for r in batik["allowed"]]
    assert batik["steps"][0]["kind"] == "Surat Pemberitahuan"
    assert batik["steps"][0]["notes"] == "Surat pertama diantar ke kantor."
    assert batik["log_url"] == f"/cases/{batik['id']}/steps/new"
    assert batik["version"] == world["batik"].cases[0].version
    assert day["day_label"] == "2 Maret 2026"


def test_the_day_needs_a_branch_officer(client, make_user):
    """Regional staff and admins have no day to take along."""
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(client, admin)
    assert client.get("/offline/day.json").status_code == 403


def test_the_browser_finds_the_app_icon_at_favicon_ico(client):
    """Does /favicon.ico answer, without a session, with the app's icon, and do the pages
    link it? Yes: an ICO of the app's icon in 16, 32 and 48 pixels."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    icon = Image.open(io.BytesIO(response.data))
    assert icon.format == "ICO" and {(16, 16), (32, 32), (48, 48)} <= icon.info["sizes"]
    assert 'rel="icon" href="/favicon.ico"' in client.get("/auth/login").get_data(as_text=True)


def test_the_manifest_makes_the_app_installable_in_indonesian(client):
    """Is the manifest public (browsers fetch it without cookies), in Indonesian, starting on
    the tasks, with PNG icons of 192 and 512 pixels?"""
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.json if response.is_json else json.loads(response.get_data())
    assert manifest["lang"] == "id"
    assert manifest["start_url"] == "/tasks/"
    assert manifest["display"] == "standalone"
    assert "mengajak pemberi kerja" in manifest["description"]
    sizes = {}
    for icon in manifest["icons"]:
        image = Image.open(io.BytesIO(client.get(icon["src"]).data))
        assert image.format == "PNG"
        sizes[icon["sizes"]] = image.size
    assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}


def test_the_service_worker_is_served_from_the_root_with_workbox_vendored(client):
    """Is /sw.js served at the root scope, importing Workbox from the app's own copy (no CDN),
    with the shell it keeps reachable?"""
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    body = response.get_data(as_text=True)
    settings = json.loads(body.split("self.OUTREACH = ", 1)[1].split(";\n", 1)[0])
    assert settings["workbox"] == "/static/vendor/workbox"
    for module in ("core", "routing", "strategies", "precaching"):
        assert client.get(f"/static/vendor/workbox/workbox-{module}.prod.js").status_code == 200
    imported = body.split("importScripts(", 1)[1].split(")", 1)[0]
    assert "googleapis" not in imported
    for url in json.loads(f"[{imported}]"):
        assert client.get(url).status_code == 200
    for entry in settings["shell"]:
        assert client.get(entry["url"]).status_code == 200, entry["url"]
