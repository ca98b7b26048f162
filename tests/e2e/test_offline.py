"""The officer's phone without a connection: the day saved in the morning, a visit with a
photo logged offline and sent once when the network returns, a resend that makes nothing, a
conflicting change shown side by side, and an app Chromium can install."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from outreach.cases import service as case_service
from outreach.cases.models import Step
from outreach.extensions import db
from outreach.scheduler import jobs
from tests.e2e.conftest import CHROMIUM
from tests.e2e.scenario import World, log, make_world, photo_jpeg, sign_in

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the `browser` fixture fails every test with the reason
    Page = expect = None

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(make_branch, make_user, make_company) -> World:
    """PT Batik Pesisir Sejahtera notified weeks ago (a visit is due) and the morning sweep
    run, so that the officer's tasks hold its visit."""
    world = make_world(make_branch, make_user, make_company)
    log(world, "notification", world.working_days_ago(30))
    db.session.commit()
    assert jobs.morning_sweep(world.today).outcome == "ok"
    return world


def steps_of(world: World, kind: str) -> list[Step]:
    db.session.expire_all()
    return list(db.session.scalars(select(Step).where(Step.case_id == world.case.id,
                                                      Step.kind == kind)))


#: Playwright's offline switch does not reach Chromium's Background Sync scheduler (it sees the
#: machine online and fires at once), so the pages here have none: an entry is sent when the
#: page sees the network return, as on a browser without Background Sync
NO_BACKGROUND_SYNC = "delete window.SyncManager;"


def take_the_day(page: Page, world: World) -> None:
    """Sign in to the tasks online; the worker controls the page and the day is saved."""
    page.add_init_script(NO_BACKGROUND_SYNC)
    sign_in(page, world.officer)
    expect(page).to_have_url(re.compile(r"/tasks/$"))
    page.wait_for_function(
        "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    expect(page.locator("[data-save-day]")).to_have_text(re.compile(r"^· Disimpan \d\d\.\d\d$"))


def log_visit_offline(page: Page, world: World, notes: str) -> None:
    """From the offline page, the day's company, then its step form kept on the phone."""
    page.goto("/offline/")
    card = page.locator("[data-case]").filter(has_text="PT Batik Pesisir Sejahtera")
    expect(card).to_contain_text("Direktur: Budi Santoso")
    expect(card).to_contain_text("Kunjungan")
    card.get_by_role("link", name="Catat langkah").click()
    page.locator("#kind-visit").check()
    page.locator("#met_name").fill("Bu Ani Lestari")
    page.locator("#notes").fill(notes)
    page.locator("#proof").set_input_files(files=[
        {"name": "papan-nama.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}])
    expect(page.locator("[data-photo-list] li")).to_have_count(1)
    page.get_by_role("button", name="Simpan langkah").click()
    expect(page).to_have_url(re.compile(r"/offline/\?queued=1$"))
    expect(page.locator("[data-notice]")).to_contain_text("Tersimpan di ponsel ini")


def test_a_visit_logged_offline_is_sent_once(phone, world):
    """The officer loads the day, the network goes, a visit with a photo is logged (a file over
    the limit refused on the phone first), the network returns: exactly one step with its
    photo on the company page; the same entry sent again makes no second step."""
    page = phone.new_page()
    take_the_day(page, world)
    phone.set_offline(True)
    page.goto("/offline/")
    expect(page.locator("[data-saved]")).to_contain_text(re.compile(r"Disimpan \d\d\.\d\d"))
    expect(page.locator("[data-tasks]")).to_contain_text("PT Batik Pesisir Sejahtera")

    card = page.locator("[data-case]").filter(has_text="PT Batik Pesisir Sejahtera")
    card.get_by_role("link", name="Catat langkah").click()
    page.locator("#proof").set_input_files(files=[
        {"name": "scan-besar.pdf", "mimeType": "application/pdf",
         "buffer": b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)}])
    expect(page.locator("[data-photo-error]")).to_contain_text("scan-besar.pdf")
    expect(page.locator("[data-photo-list] li")).to_have_count(0)

    log_visit_offline(page, world, "Janji mendaftarkan 40 pekerja (dicatat tanpa sinyal).")
    entry = page.locator("[data-entry]")
    expect(entry).to_contain_text("Menunggu sinyal")
    expect(entry).to_contain_text("papan-nama.jpg")
    badge = page.locator("[data-offline-badge]")
    expect(badge).to_be_visible()
    expect(badge.locator("[data-count]")).to_have_text("1")
    assert steps_of(world, "visit") == []

    phone.set_offline(False)
    expect(page.locator("[data-none-pending]")).to_be_visible()
    expect(badge).to_be_hidden()
    [visit] = steps_of(world, "visit")
    assert [p.filename for p in visit.proofs] == ["papan-nama.jpg"]
    assert visit.met_name == "Bu Ani Lestari"

    page.goto(f"/companies/{world.company.id}")
    expect(page.locator("ul.timeline").get_by_text(
        "Janji mendaftarkan 40 pekerja (dicatat tanpa sinyal).")).to_have_count(1)

    # the same entry, replayed with its key: the answer names the step already made
    answer = page.evaluate("""async ([url, key, day]) => {
        const data = new FormData();
        data.append("kind", "visit"); data.append("occurred_on", day);
        data.append("met_name", "Bu Ani Lestari"); data.append("client_key", key);
        data.append("version", "1");
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const response = await fetch(url, {method: "POST", body: data,
                                           headers: {"X-CSRFToken": token}});
        return [response.status, await response.json()];
    }""", [f"/offline/cases/{world.case.id}/steps", visit.client_key,
           world.today.isoformat()])
    assert answer[0] == 200
    assert answer[1]["replayed"] is True and answer[1]["step_id"] == visit.id
    assert len(steps_of(world, "visit")) == 1


def test_a_conflicting_change_shows_both_versions(phone, world):
    """A visit logged offline while the supervisor logged a call on the same case: back online,
    the officer sees the entry and the case as it is now, and sends the entry anyway."""
    page = phone.new_page()
    take_the_day(page, world)  # the step form kept on the phone holds this version of the case
    case_service.log_step(world.supervisor, world.case, kind="phone_call",
                          occurred_on=world.today, today=world.today, outcome="unreachable",
                          notes="Telepon kantor tidak diangkat.")
    db.session.commit()
    phone.set_offline(True)
    log_visit_offline(page, world, "Kunjungan kedua, pabrik tutup sementara.")

    phone.set_offline(False)
    entry = page.locator("[data-entry]")
    expect(entry).to_contain_text("Kasus ini berubah di server")
    for side in ("Catatan Anda (tersimpan di ponsel ini)", "Kasus saat ini (server)"):
        expect(entry.get_by_role("heading", name=side)).to_be_visible()
    expect(entry).to_contain_text("Kunjungan kedua, pabrik tutup sementara.")
    expect(entry).to_contain_text("Panggilan telepon · Tidak dapat dihubungi")
    expect(page.locator("[data-offline-badge] [data-count]")).to_have_text("1")
    assert steps_of(world, "visit") == []

    entry.get_by_role("button", name="Tetap kirim catatan saya").click()
    expect(page.locator("[data-none-pending]")).to_be_visible()
    [visit] = steps_of(world, "visit")
    assert visit.notes == "Kunjungan kedua, pabrik tutup sementara."
    assert len(steps_of(world, "phone_call")) == 1


def test_chromium_finds_the_app_installable(browser, live_server, world, tmp_path):
    """Chromium's own check (DevTools protocol) reports no installability error. A profile on
    disk: Chromium never offers to install from an incognito context (Playwright's usual)."""
    profile = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True,
        base_url=live_server)
    try:
        page = profile.pages[0] if profile.pages else profile.new_page()
        sign_in(page, world.officer)
        page.wait_for_function(
            "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)")
        session = page.context.new_cdp_session(page)
        assert session.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = session.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert manifest["url"].endswith("/manifest.webmanifest")
    finally:
        profile.close()


def test_a_reply_recorded_offline_is_sent_once(phone, world):
    """The employer's reply given in person, recorded on the case's answer page kept on the
    phone, is sent when the network returns and listed once."""
    page = phone.new_page()
    take_the_day(page, world)
    phone.set_offline(True)
    page.goto("/offline/")
    card = page.locator("[data-case]").filter(has_text="PT Batik Pesisir Sejahtera")
    card.get_by_role("link", name="Catat tanggapan").click()
    page.locator("summary", has_text="Catat tanggapan").click()
    page.locator("#received_on").fill(world.today.isoformat())
    page.get_by_label("Langsung").check()
    page.locator("#sender").fill("Pak Budi Santoso")
    page.locator("#content").fill("Akan mendaftarkan 40 pekerja sebelum akhir bulan.")
    page.locator("form[data-offline-queue]").get_by_role("button", name="Simpan").click()
    expect(page).to_have_url(re.compile(r"/offline/\?queued=1$"))
    expect(page.locator("[data-entry]")).to_contain_text("Tanggapan (Langsung)")

    phone.set_offline(False)
    expect(page.locator("[data-none-pending]")).to_be_visible()
    page.goto(f"/cases/{world.case.id}/answer")
    expect(page.locator("#replies").get_by_text(
        "Akan mendaftarkan 40 pekerja sebelum akhir bulan.")).to_have_count(1)
