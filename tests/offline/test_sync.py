"""A step logged on the phone without a connection, sent when it returns: the idempotency key
makes a resend answer with the step already made, a case changed meanwhile answers with both
versions, and a key never reaches another branch's step."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from outreach.cases import service as case_service
from outreach.cases.models import Category, Step
from outreach.cases.proofs import Upload
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.org.models import Role
from tests import factories
from tests.conftest import csrf_token, login, post
from tests.tasks.test_reminders import at

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
TODAY = date(2026, 3, 2)
KEY = "4f9c2a4e-0b7d-4d1e-9a35-6c1f2b7e8d90"


@pytest.fixture
def world(make_branch, make_user, make_company):
    """PT Batik Pesisir in Pekalongan, notified in January (a visit is allowed), its officer;
    Tegal's officer and company beside it."""
    pkl = make_branch("KC-PKL", "Pekalongan")
    tgl = make_branch("KC-TGL", "Tegal")
    officer = make_user(Role.OFFICER, branch=pkl, name="Siti Rahmawati")
    outsider = make_user(Role.OFFICER, branch=tgl, name="Rudi Hartono")
    company = make_company(pkl, "PT Batik Pesisir", categories=(Category.PWBD,),
                           officer_id=officer.id)
    case = company.cases[0]
    factories.step(case, "notification", date(2026, 1, 5), actor=officer)
    other = make_company(tgl, "CV Tegal Bahari", categories=(Category.PWBD,),
                         officer_id=outsider.id)
    db.session.commit()
    return {"officer": officer, "outsider": outsider, "company": company, "case": case,
            "other_case": other.cases[0]}


def entry(case, key: str = KEY, version: int | None = None, **values) -> dict:
    """The form fields the phone kept for a visit, with a photo."""
    return {"kind": "visit", "occurred_on": TODAY.isoformat(), "outcome": "promised",
            "met_name": "Bu Ani", "notes": "Janji mendaftarkan pekerja.",
            "version": str(case.version if version is None else version), "client_key": key,
            "proof": (io.BytesIO(PNG), "papan-nama.png"), **values}


def send(client, case, data: dict):
    """Send an entry the way the phone does: the form token in the header."""
    token = csrf_token(client)
    return client.post(f"/offline/cases/{case.id}/steps", data=data,
                       content_type="multipart/form-data",
                       headers={"X-CSRFToken": token, "Accept": "application/json"})


def visits(case) -> list[Step]:
    db.session.expire_all()
    return list(db.session.scalars(select(Step).where(Step.case_id == case.id,
                                                      Step.kind == "visit")))


def step_log_events() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.action == "step.log"))


def test_a_resend_with_the_same_key_answers_with_the_step_already_made(client, world):
    """Does the phone sending the same entry twice (the first answer lost on the way) make
    one visit with one photo, the second answer naming the same step?"""
    case = world["case"]
    version = case.version
    with at(TODAY, 10):
        login(client, world["officer"])
        events = step_log_events()
        first = send(client, case, entry(case, version=version))
        assert first.status_code == 201, first.get_data(as_text=True)
        again = send(client, case, entry(case, version=version))
    assert again.status_code == 200
    assert again.json["replayed"] is True
    assert again.json["step_id"] == first.json["step_id"]
    [visit] = visits(case)
    assert [p.filename for p in visit.proofs] == ["papan-nama.png"]
    assert (visit.met_name, visit.outcome, visit.client_key) == ("Bu Ani", "promised", KEY)
    assert step_log_events() == events + 1
    with at(TODAY, 10):
        page = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert page.count("Janji mendaftarkan pekerja.") == 1


def test_the_step_form_sent_twice_makes_one_step(client, world):
    """A double tap on Save (or Back and Save again) sends the form's key twice: one step."""
    case = world["case"]
    with at(TODAY, 10):
        login(client, world["officer"])
        form = client.get(f"/cases/{case.id}/steps/new?kind=visit").get_data(as_text=True)
        key = form.split('name="client_key" type="hidden" value="')[1].split('"')[0]
        assert len(key) == 32
        data = {k: v for k, v in entry(case, key=key).items() if k != "proof"}
        for _ in range(2):
            response = post(client, f"/cases/{case.id}/steps/new", data)
            assert response.status_code == 302
        shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Langkah telah dicatat." in shown
    assert len(visits(case)) == 1


def test_a_case_changed_meanwhile_answers_with_both_versions(client, world):
    """Is an entry made on an older version of the case kept back (409) with the case as it
    is now, its newer step listed, until the officer sends it again on top of it?"""
    case = world["case"]
    morning = case.version
    with at(TODAY, 10):
        case_service.log_step(world["officer"], case, kind="phone_call", occurred_on=TODAY,
                              today=TODAY, outcome="unreachable", notes="Tidak diangkat")
        db.session.commit()
        login(client, world["officer"])
        answer = send(client, case, entry(case, version=morning))
        assert answer.status_code == 409
        assert answer.json["status"] == "conflict"
        assert f"versi {morning}" in answer.json["message"]
        assert answer.json["version"] == case.version != morning
        now = answer.json["case"]
        assert [s["kind"] for s in now["steps"]][:2] == ["Panggilan telepon", "Surat Pemberitahuan"]
        assert now["steps"][0]["outcome"] == "Tidak dapat dihubungi"
        assert visits(case) == []
        decided = send(client, case, entry(case, version=answer.json["version"]))
    assert decided.status_code == 201
    assert len(visits(case)) == 1


def test_a_step_the_ladder_refuses_is_answered_with_the_reason(client, world):
    """An entry the ladder does not allow (warning II before warning I) is refused with its
    reason and kept on the phone, not dropped: nothing is saved."""
    case = world["case"]
    with at(TODAY, 10):
        login(client, world["officer"])
        answer = send(client, case, entry(case, kind="warning_2"))
    assert answer.status_code == 422
    assert answer.json["status"] == "refused"
    assert answer.json["message"]
    assert db.session.scalar(select(func.count(Step.id)).where(Step.case_id == case.id)) == 1


def test_a_key_of_another_branchs_step_is_refused_and_reveals_nothing(client, world):
    """Tegal's step with a key: Pekalongan's officer sending the same key is refused, learns
    nothing of that step, and no step is made."""
    other = world["other_case"]
    factories.step(other, "notification", date(2026, 1, 5), actor=world["outsider"])
    case_service.log_step(world["outsider"], other, kind="visit", occurred_on=TODAY,
                          today=TODAY, client_key=KEY, uploads=[Upload("foto.png", PNG)])
    db.session.commit()
    case = world["case"]
    with at(TODAY, 10):
        login(client, world["officer"])
        answer = send(client, case, entry(case))
    assert answer.status_code == 422
    assert answer.json == {"status": "refused",
                           "message": "Kunci catatan ini sudah dipakai: catatan tidak disimpan."}
    assert visits(case) == []


def test_another_branchs_case_is_not_found(client, world):
    """Sending to a case of another branch answers 404, whatever the key."""
    with at(TODAY, 10):
        login(client, world["officer"])
        answer = send(client, world["other_case"], entry(world["other_case"]))
    assert answer.status_code == 404
    assert visits(world["other_case"]) == []


def test_an_entry_without_a_form_token_is_refused(client, world):
    """The sync endpoint is a form like any other: no token, no step."""
    case = world["case"]
    with at(TODAY, 10):
        login(client, world["officer"])
        answer = client.post(f"/offline/cases/{case.id}/steps", data=entry(case),
                             content_type="multipart/form-data")
    assert answer.status_code == 400
    assert visits(case) == []


def reply_entry(key: str = KEY) -> dict:
    """The fields the phone kept for the employer's reply given in person, with its photo."""
    return {"received_on": TODAY.isoformat(), "channel": "in_person", "sender": "Pak Budi",
            "content": "Kami akan mendaftarkan pekerja bulan depan.", "client_key": key,
            "attachment": (io.BytesIO(PNG), "surat-balasan.png")}


def test_a_reply_sent_twice_is_recorded_once(client, world):
    """Does a reply recorded on the phone and sent twice appear once on the case's answer
    page, the second send naming the same reply?"""
    case = world["case"]
    with at(TODAY, 10):
        login(client, world["officer"])
        url = f"/offline/cases/{case.id}/replies"
        headers = {"X-CSRFToken": csrf_token(client), "Accept": "application/json"}
        first = client.post(url, data=reply_entry(), content_type="multipart/form-data",
                            headers=headers)
        assert first.status_code == 201, first.get_data(as_text=True)
        again = client.post(url, data=reply_entry(), content_type="multipart/form-data",
                            headers=headers)
        assert (again.status_code, again.json["reply_id"]) == (200, first.json["reply_id"])
        page = client.get(f"/cases/{case.id}/answer").get_data(as_text=True)
        refused = client.post(url, data={**reply_entry("another-key"), "channel": "pigeon"},
                              content_type="multipart/form-data", headers=headers)
    assert page.count("Kami akan mendaftarkan pekerja bulan depan.") == 1
    assert refused.status_code == 422
    assert refused.json["status"] == "refused"


def position_events(action: str = "step.position") -> int:
    return db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.action == action))


def test_an_entry_sent_again_records_its_position_once(client, world):
    """The phone kept the visit's position with the entry: is it kept when the entry is sent,
    and does a resend of the same entry (or a double tap on the step form) write it again?
    Kept once: one position on the step, one line of the company's history for it."""
    case = world["case"]
    fix = {"latitude": "-6.8886", "longitude": "109.6753", "accuracy": "12",
           "position_at": "2026-03-02T09:55:00+07:00", "use_location": "y"}
    with at(TODAY, 10):
        login(client, world["officer"])
        first = send(client, case, entry(case, **fix))
        assert first.status_code == 201, first.get_data(as_text=True)
        again = send(client, case, entry(case, **fix))
        assert again.status_code == 200 and again.json["replayed"] is True
    [visit] = visits(case)
    assert (visit.latitude, visit.longitude, visit.position_accuracy_m) == (-6.8886, 109.6753, 12)
    assert (position_events(), position_events("company.location")) == (1, 1)
    with at(TODAY, 11):
        form = client.get(f"/cases/{case.id}/steps/new?kind=phone_call").get_data(as_text=True)
        key = form.split('name="client_key" type="hidden" value="')[1].split('"')[0]
        data = {**{k: v for k, v in entry(case, key=key).items() if k != "proof"},
                "kind": "phone_call", **fix, "use_location": ""}
        for _ in range(2):
            assert post(client, f"/cases/{case.id}/steps/new", data).status_code == 302
    assert position_events() == 2  # the call's, once
