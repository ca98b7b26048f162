"""The officer's day on a phone (390×844): tasks → company → a visit with two gallery photos →
issue and deliver a letter, and typed input that survives an expired session."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from outreach.cases.models import Category, Step
from outreach.extensions import db
from outreach.scheduler import jobs
from tests.conftest import PASSWORD
from tests.e2e.scenario import World, log, make_world, no_horizontal_scroll, photo_jpeg, sign_in

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the `browser` fixture fails every test with the reason
    Page = expect = None

pytestmark = pytest.mark.e2e


def big_photo() -> bytes:
    """A 4000×3000 photo as a phone's gallery holds it (several MB)."""
    buffer = io.BytesIO()
    Image.effect_noise((4000, 3000), 60).convert("RGB").save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


@pytest.fixture
def world(make_branch, make_user, make_company) -> World:
    """The officer's branch with a dozen companies whose notification was delivered weeks
    ago (a visit is due on each), and today's morning sweep run."""
    world = make_world(make_branch, make_user, make_company)
    log(world, "notification", world.working_days_ago(30))
    for n in range(11):
        company = make_company(world.branch, f"UD Tenun Pesisir {n + 1:02d}",
                               categories=(Category.PWBD,), officer_id=world.officer.id,
                               kecamatan="Pekalongan Utara" if n % 2 else "Pekalongan Timur",
                               opened_on=world.working_days_ago(60))
        other = World(world.branch, world.officer, world.supervisor, company,
                      company.cases[0], world.today)
        log(other, "notification", world.working_days_ago(30))
    db.session.commit()
    assert jobs.morning_sweep(world.today).outcome == "ok"
    return world


def test_the_officers_day_on_a_phone(phone, world, screenshots):
    """Sign in to the tasks, about eight compact cards on the screen; open the company; log a
    visit with the person met and two gallery photos (the big one made smaller on the phone);
    issue a second notification letter and record its delivery with the signed receipt. No
    page scrolls sideways."""
    page = phone.new_page()
    sign_in(page, world.officer, check=no_horizontal_scroll)
    expect(page).to_have_url(re.compile(r"/tasks/$"))
    cards = page.locator("li.task-card")
    expect(cards).to_have_count(12)
    on_screen = page.evaluate(
        "() => [...document.querySelectorAll('li.task-card')]"
        ".filter(c => c.getBoundingClientRect().bottom <= window.innerHeight).length")
    assert on_screen >= 7, f"only {on_screen} task cards fit the first screen"
    page.screenshot(path=screenshots / "field_1_tasks.png")
    page.get_by_role("link", name="Per kecamatan").click()
    expect(page.get_by_role("heading", name=re.compile("^Pekalongan Barat"))).to_be_visible()
    no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "field_2_tasks_by_kecamatan.png")

    card = cards.filter(has_text="PT Batik Pesisir Sejahtera")
    card.get_by_role("link", name="PT Batik Pesisir Sejahtera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PT Batik Pesisir Sejahtera")
    no_horizontal_scroll(page)
    page.go_back()

    card.get_by_role("link", name=re.compile("^Catat: Kunjungan")).click()
    expect(page.locator("#kind-visit")).to_be_checked()
    expect(page.locator("#why-not")).not_to_have_attribute("open", "")
    no_horizontal_scroll(page)
    page.locator("#met_name").fill("Bu Ani Lestari")
    page.locator("#met_position").fill("Manajer HRD")
    page.locator("#outcome").select_option("promised")
    page.locator("#notes").fill("Janji mendaftarkan 40 pekerja minggu depan.")
    large = big_photo()
    page.locator("#proof").set_input_files(files=[
        {"name": "papan-nama.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()},
        {"name": "ruang-produksi.jpg", "mimeType": "image/jpeg", "buffer": large}])
    expect(page.locator("[data-photo-list] li")).to_have_count(2)
    page.screenshot(path=screenshots / "field_3_visit_form.png", full_page=True)
    page.get_by_role("button", name="Simpan langkah").click()
    expect(page.get_by_role("alert").filter(has_text="Langkah telah dicatat.")).to_be_visible()
    expect(page.locator("ul.timeline")).to_contain_text("Bertemu Bu Ani Lestari (Manajer HRD)")
    db.session.expire_all()
    visit = db.session.scalars(select(Step).where(Step.case_id == world.case.id,
                                                  Step.kind == "visit")).one()
    assert [p.filename for p in visit.proofs] == ["papan-nama.jpg", "ruang-produksi.jpg"]
    resized = visit.proofs[1]
    assert resized.size < len(large) / 3
    assert max(Image.open(io.BytesIO(resized.data)).size) == 1600

    # the second notification letter (warning I waits 5 working days after the visit)
    page.get_by_role("link", name="Surat Pemberitahuan", exact=True).click()
    expect(page.locator("#kind-notification")).to_be_checked()
    page.get_by_role("button", name="Simpan langkah").click()
    expect(page.get_by_role("alert").filter(has_text="Langkah telah dicatat.")).to_be_visible()
    page.goto("/letters/?status=draft&company=Batik")
    no_horizontal_scroll(page)
    page.locator("tbody tr", has_text="Surat Pemberitahuan").get_by_role(
        "link", name="(konsep)").click()
    page.get_by_label("Saya sudah memeriksa surat", exact=False).check()
    page.get_by_role("button", name="Terbitkan surat").click()
    expect(page.get_by_role("alert").filter(has_text="Surat telah diterbitkan")).to_be_visible()
    page.screenshot(path=screenshots / "field_4_letter_issued.png", full_page=True)

    page.goto(f"/companies/{world.company.id}")
    page.get_by_role("link", name="Catat status pengiriman").first.click()
    page.locator("#method").select_option("receipt")
    page.locator("#reference").fill("TT-0117")
    page.locator("#proof").set_input_files(files=[
        {"name": "tanda-terima.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}])
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Status pengiriman telah dicatat.")
           ).to_be_visible()
    db.session.expire_all()
    warning = db.session.scalars(select(Step).where(Step.case_id == world.case.id,
                                                    Step.kind == "notification")
                                 .order_by(Step.id.desc())).first()
    assert warning.delivery_status == "delivered"
    assert [p.filename for p in warning.proofs] == ["tanda-terima.jpg"]
    page.screenshot(path=screenshots / "field_5_delivered.png", full_page=True)


def test_typed_notes_survive_an_expired_session(phone, world, screenshots):
    """The officer types a long note, the session expires before Save: the refusal leads back
    to the form, through signing in again, with the note in it, and saving records the visit."""
    page = phone.new_page()
    sign_in(page, world.officer)
    page.goto(f"/cases/{world.case.id}/steps/new?kind=visit")
    note = "Pabrik tutup hari Jumat; pemilik minta dijadwalkan ulang Senin pagi."
    page.locator("#met_name").fill("Pak Joko")
    page.locator("#notes").fill(note)
    phone.clear_cookies()  # the session expired while the officer typed
    page.get_by_role("button", name="Simpan langkah").click()
    # the form's token belonged to the ended session: refused, with the way back to the form
    page.get_by_role("link", name="Buka formulir lagi").click()
    page.wait_for_url(re.compile("/auth/login"))
    page.locator("#email").fill(world.officer.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(rf"/cases/{world.case.id}/steps/new"))
    expect(page.locator("#notes")).to_have_value(note)
    expect(page.locator("#met_name")).to_have_value("Pak Joko")
    page.screenshot(path=screenshots / "field_6_restored.png", full_page=True)
    page.get_by_role("button", name="Simpan langkah").click()
    expect(page.get_by_role("alert").filter(has_text="Langkah telah dicatat.")).to_be_visible()
    db.session.expire_all()
    visit = db.session.scalars(select(Step).where(Step.case_id == world.case.id,
                                                  Step.kind == "visit")).one()
    assert (visit.notes, visit.met_name) == (note, "Pak Joko")
