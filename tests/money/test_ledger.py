"""The ledger: contributions owed per month, the fine, payments and the balance, by hand."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import delete, func, select

from outreach.cases.models import Case, Category
from outreach.cases.proofs import Upload
from outreach.companies.models import ContributionRate
from outreach.core import clock
from outreach.extensions import db
from outreach.money import service as money
from outreach.money.models import Payment
from outreach.org.models import Role
from tests import factories
from tests.companies.test_exports import exported
from tests.conftest import login, post

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")

#: warning II of `walk_to_warning_2`: delivered on Thursday 9 April 2026, its 10 working days
#: end on Thursday 23 April (the ladder's own figure, read back from the step)
WARNING_2_ENDS = date(2026, 4, 23)


def walk_to_warning_2(case: Case, *, fine: bool = False) -> None:
    """Notification, visit, warning I and warning II delivered (and the fine letter, delivered
    on 27 April 2026, when `fine`), as `tests/ladder` walks a case."""
    factories.delivered_step(case, "notification", date(2026, 1, 5), delivered_on=date(2026, 1, 6))
    factories.step(case, "visit", date(2026, 1, 8), outcome="promised")
    factories.delivered_step(case, "warning_1", date(2026, 3, 16))
    warning_2 = factories.delivered_step(case, "warning_2", date(2026, 4, 8),
                                         delivered_on=date(2026, 4, 9))
    assert warning_2.due_on == WARNING_2_ENDS
    if fine:
        factories.delivered_step(case, "fine", date(2026, 4, 24), delivered_on=date(2026, 4, 27))


def pay(company, kind: str, on: date, amount: int) -> Payment:
    """A payment recorded by an officer of the company's branch, with a PNG proof."""
    officer = factories.clerk(company.branch_id)
    payment = money.add_payment(officer, company, kind=kind, paid_on=on, amount=amount,
                                reference="TRF", upload=Upload("bukti.png", PNG), today=on)
    db.session.commit()
    return payment


def test_a_medium_pwbd_company_owes_its_months_and_a_fine_paid_three_months_later(make_branch):
    """A medium PWBD company of 25 workers at Rp2,700,000, obliged 14 months before warning II
    ended, that pays its fine three months later: are its contributions, its fine and its
    balance what a person computes by hand?"""
    branch = make_branch()
    company = factories.company(branch, "PT Tenun Pesisir", categories=(Category.PWBD,),
                                business_size="medium", workers_estimated=25,
                                workers_registered=0, average_wage=2_700_000,
                                obliged_on=date(2025, 2, 23))
    case = company.cases[0]
    walk_to_warning_2(case, fine=True)

    # A month for 25 unregistered workers at Rp2,700,000 (25 x 2,700,000 = 67,500,000), every
    # program mandatory for a medium company (Perpres 109/2013 art. 6), risk class 1:
    #   JKK 0.24% = 162,000; JKM 0.30% = 202,500; JHT 5.7% = 3,847,500;
    #   JP 3% (wage below every cap, Rp10,042,300 and up) = 2,025,000   -> 6,237,000 a month
    monthly = 162_000 + 202_500 + 3_847_500 + 2_025_000
    assert monthly == 6_237_000
    # Months from February 2025 (obliged 23 Feb 2025) whose due date (the 15th of the next
    # month) is on or before 23 April 2026: February 2025 .. March 2026 = 14 months.
    base = 14 * monthly
    assert base == 87_318_000
    # Paid on 23 July 2026: months begun after 23 April: to 23 May, 23 June, 23 July = 3.
    fine = base * 1 // 1000 * 3  # 0.1% a month x 3 = 87,318 x 3
    assert fine == 261_954
    pay(company, "contribution", date(2026, 7, 23), base)
    pay(company, "fine", date(2026, 7, 23), fine)

    # On 20 August 2026 the months due are February 2025 .. July 2026 (due 15 August) = 18.
    today = date(2026, 8, 20)
    book = money.ledger(company, today)
    assert len(book.rows) == 18
    assert book.rows[0].month == date(2025, 2, 1)
    assert book.rows[0].by_program == {"JKK": 162_000, "JKM": 202_500, "JHT": 3_847_500,
                                       "JP": 2_025_000}
    assert book.contributions_owed == 18 * monthly == 112_266_000
    assert book.fine.warning_end == WARNING_2_ENDS
    assert book.fine.base == base
    assert book.fine.months == 3
    assert book.fine.amount == fine
    assert not book.start_assumed
    assert book.contribution_balance == 112_266_000 - 87_318_000 == 24_948_000
    assert book.fine_balance == 0
    assert book.balance == 24_948_000

    # the fine letter was delivered on 27 April: due with the next contributions, 15 May
    state = money.fine_state(case, today)
    assert (state.imposed_on, state.due_on) == (date(2026, 4, 27), date(2026, 5, 15))
    assert (state.amount, state.paid, state.outstanding, state.unpaid_past_due) == (
        fine, fine, 0, False)


def test_a_fine_unpaid_after_its_due_date_is_past_due(make_branch):
    """Before the fine is paid, is it unpaid past its due date once the 15th has gone, and
    does it grow a month at a time?"""
    branch = make_branch()
    company = factories.company(branch, categories=(Category.PWBD,), business_size="medium",
                                workers_estimated=25, average_wage=2_700_000,
                                obliged_on=date(2025, 2, 23))
    case = company.cases[0]
    walk_to_warning_2(case, fine=True)
    on_time = money.fine_state(case, date(2026, 5, 15))
    assert (on_time.amount, on_time.unpaid_past_due) == (87_318, False)  # one month begun
    late = money.fine_state(case, date(2026, 5, 25))
    assert (late.amount, late.outstanding, late.unpaid_past_due) == (174_636, 174_636, True)


def test_a_pds_upah_company_is_fined_on_the_wage_it_did_not_report(make_branch):
    """Does a company that reports Rp3,000,000 for workers paid Rp5,000,000 owe the
    contributions on the gap, and is its fine more than zero?"""
    branch = make_branch()
    company = factories.company(branch, categories=(Category.PDS_UPAH,), business_size="medium",
                                workers_estimated=10, workers_registered=10,
                                average_wage=5_000_000, reported_wage=3_000_000,
                                programs="JKK,JKM,JHT,JP", obliged_on=date(2026, 1, 1))
    walk_to_warning_2(company.cases[0])
    # 10 workers x the gap of Rp2,000,000 = 20,000,000 a month:
    #   JKK 0.24% = 48,000; JKM 0.30% = 60,000; JHT 5.7% = 1,140,000; JP 3% = 600,000
    monthly = 48_000 + 60_000 + 1_140_000 + 600_000
    # January, February, March 2026 are due by 23 April: base 3 x 1,848,000 = 5,544,000;
    # on 1 June 2026 two months have begun (24 April, 24 May): 5,544,000 x 0.1% x 2 = 11,088
    book = money.ledger(company, date(2026, 6, 1))
    assert book.rows[0].by_program == {"JKK": 48_000, "JKM": 60_000, "JHT": 1_140_000,
                                       "JP": 600_000}
    assert book.fine.base == 3 * monthly == 5_544_000
    assert book.fine.months == 2
    assert book.fine.amount == 11_088


def test_the_jp_cap_of_march_applies_from_march(make_branch):
    """A worker paid Rp10,300,000: do January and February 2025 count JP on the 2024 cap
    (Rp10,042,300) and March on the 2025 cap (Rp10,547,400, above the wage)?"""
    branch = make_branch()
    company = factories.company(branch, business_size="medium", workers_estimated=1,
                                average_wage=10_300_000, obliged_on=date(2025, 1, 10))
    book = money.ledger(company, date(2025, 5, 1))
    assert [row.month for row in book.rows] == [date(2025, 1, 1), date(2025, 2, 1),
                                                date(2025, 3, 1)]
    assert [row.jp_cap for row in book.rows] == [10_042_300, 10_042_300, 10_547_400]
    # 3% of the capped wage: 10,042,300 x 3% = 301,269; then 10,300,000 x 3% = 309,000
    assert [row.by_program["JP"] for row in book.rows] == [301_269, 301_269, 309_000]
    assert book.rows[0].by_program["JHT"] == 587_100  # JHT has no cap: 10,300,000 x 5.7%


def test_an_unknown_obliged_date_counts_from_the_case_and_says_so(make_branch, make_user,
                                                                  client):
    """Without an obliged date, does the ledger start at the case's opening and does the page
    say it is an assumption?"""
    branch = make_branch()
    company = factories.company(branch, categories=(Category.PWBD,), workers_estimated=2,
                                average_wage=3_000_000, opened_on=date(2026, 1, 5))
    book = money.ledger(company, date(2026, 3, 1))
    assert (book.start, book.start_assumed, len(book.rows)) == (date(2026, 1, 5), True, 1)
    login(client, make_user(Role.OFFICER, branch=branch))
    page = client.get(f"/money/companies/{company.id}").get_data(as_text=True)
    assert "asumsi" in page.lower()


def test_letter_money_gives_the_letters_formatted_figures(make_branch):
    """Does `letter_money` give the fine letter its base, rate, months, amount and Lampiran
    rows, and the referral letter the total claimed, all in Rupiah text?"""
    branch = make_branch()
    company = factories.company(branch, categories=(Category.PWBD,), business_size="medium",
                                workers_estimated=25, average_wage=2_700_000,
                                obliged_on=date(2025, 2, 23))
    case = company.cases[0]
    walk_to_warning_2(case, fine=True)
    pay(company, "contribution", date(2026, 7, 23), 87_318_000)
    pay(company, "fine", date(2026, 7, 23), 261_954)
    data = money.letter_money(case, date(2026, 8, 20))
    assert data["fine_base"] == "Rp87.318.000"
    assert data["fine_rate"] == "0,1%"
    assert data["fine_months"] == 3
    assert data["fine_amount"] == "Rp261.954"
    assert data["warning_end"] == "23 April 2026"
    assert data["contributions_owed"] == "Rp112.266.000"
    assert data["months_owed"] == 18
    assert len(data["rows"]) == 18 * 4
    assert data["rows"][0] == {"month": "Februari 2025", "due_on": "15 Maret 2025",
                               "component": "Pekerja belum didaftarkan", "program": "JKK",
                               "workers": 25, "wage_base": "Rp2.700.000", "percent": "0,24%",
                               "amount": "Rp162.000", "in_base": True}
    assert data["total_claimed"] == "Rp24.948.000"


# --- payments on the page --------------------------------------------------------------------


@pytest.fixture
def pwbd(make_branch, make_user):
    """A company of Pekalongan owing four months, its officer, and an officer of Tegal."""
    pkl, tgl = make_branch("KC-PKL", "Pekalongan"), make_branch("KC-TGL", "Tegal")
    company = factories.company(pkl, categories=(Category.PWBD,), workers_estimated=2,
                                average_wage=3_000_000, obliged_on=date(2025, 10, 1))
    return company, make_user(Role.OFFICER, branch=pkl), make_user(Role.OFFICER, branch=tgl)


def payment_form(amount: str, filename: str = "bukti.png", content: bytes = PNG) -> dict:
    return {"kind": "contribution", "paid_on": "2026-01-05", "amount": amount,
            "reference": "TRF-01", "proof": (io.BytesIO(content), filename)}


def test_a_payment_lowers_the_balance(client, pwbd):
    """Does a payment entered on the ledger page lower the balance the page shows?"""
    company, officer, _other = pwbd
    before = money.ledger(company, clock.today()).balance
    login(client, officer)
    response = post(client, f"/money/companies/{company.id}/payments",
                    payment_form("500000"), content_type="multipart/form-data")
    assert response.status_code == 302
    after = money.ledger(company, clock.today())
    assert after.balance == before - 500_000
    page = client.get(f"/money/companies/{company.id}").get_data(as_text=True)
    assert "Rp500.000" in page and "TRF-01" in page


@pytest.mark.parametrize("filename, content, message", [
    ("bukti.png", b"not a picture at all", "bukan foto"),
    ("bukti.pdf", PNG, "tidak sesuai"),
    ("besar.png", PNG + b"\0" * 200, "melebihi"),
])
def test_a_bad_proof_is_refused(app, client, pwbd, monkeypatch, filename, content, message):
    """Is a proof that is not a photo or PDF, lies about its type or is too large refused at
    the field, with nothing recorded?"""
    monkeypatch.setitem(app.config, "PROOF_MAX_BYTES", len(PNG) + 100)
    company, officer, _other = pwbd
    login(client, officer)
    response = post(client, f"/money/companies/{company.id}/payments",
                    payment_form("500000", filename, content), content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_an_officer_of_another_branch_neither_sees_nor_adds_payments(client, pwbd):
    """Can an officer of Tegal read the ledger, a proof, or add a payment of a Pekalongan
    company? (All answer 404, as if they did not exist.)"""
    company, _officer, other = pwbd
    payment = pay(company, "contribution", date(2026, 1, 5), 100_000)
    login(client, other)
    assert client.get(f"/money/companies/{company.id}").status_code == 404
    assert client.get(f"/money/payments/{payment.id}/proof").status_code == 404
    response = post(client, f"/money/companies/{company.id}/payments",
                    payment_form("500000"), content_type="multipart/form-data")
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(Payment.id))) == 1


def test_a_refused_amount_records_nothing(client, pwbd):
    """Is a payment of Rp0 refused at the amount field?"""
    company, officer, _other = pwbd
    login(client, officer)
    response = post(client, f"/money/companies/{company.id}/payments", payment_form("0"),
                    content_type="multipart/form-data")
    assert response.status_code == 400
    assert "lebih dari Rp0" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_the_company_page_shows_the_balance_and_links_the_ledger(client, pwbd):
    """Does the company page show the balance and a link to the ledger page?"""
    company, officer, _other = pwbd
    login(client, officer)
    page = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert f"/money/companies/{company.id}" in page
    assert money.ledger(company, clock.today()).balance > 0


# --- the JP wage caps ---------------------------------------------------------------------


@pytest.fixture
def added_caps():
    """Caps a test adds are removed after it: the rates are reference data kept between tests."""
    yield
    db.session.rollback()
    db.session.execute(delete(ContributionRate).where(
        ContributionRate.effective_from >= date(2026, 1, 1)))
    db.session.commit()


@pytest.mark.parametrize("data, message", [
    ({"amount": "0", "effective_from": "2026-03-01", "source": "Pengumuman"}, "di atas nol"),
    ({"amount": "11000000", "effective_from": "2026-03-01", "source": " "}, "sumber"),
    ({"amount": "11000000", "effective_from": "2025-03-01", "source": "Pengumuman"},
     "sudah tercatat"),
])
def test_the_cap_page_refuses_bad_input(client, make_user, added_caps, data, message):
    """Is a cap of Rp0, one without a source, or a second cap from the same day refused?"""
    login(client, make_user(Role.ADMIN))
    before = db.session.scalar(select(func.count(ContributionRate.id)))
    response = post(client, "/money/wage-caps", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ContributionRate.id))) == before


def test_a_cap_added_on_the_page_applies_to_the_months_after_it(app, client, make_branch,
                                                                make_user, added_caps):
    """Does a cap an administrator adds from 1 March 2026 change JP from that month on, and is
    a supervisor refused?"""
    branch = make_branch()
    company = factories.company(branch, business_size="medium", workers_estimated=1,
                                average_wage=12_000_000, obliged_on=date(2026, 2, 1))
    login(client, make_user(Role.SUPERVISOR, branch=branch))
    assert client.get("/money/wage-caps").status_code == 200
    refused = post(client, "/money/wage-caps", {"amount": "11000000",
                                                "effective_from": "2026-03-01",
                                                "source": "Pengumuman"})
    assert refused.status_code == 400
    client = app.test_client()
    login(client, make_user(Role.ADMIN))
    response = post(client, "/money/wage-caps", {
        "amount": "11000000", "effective_from": "2026-03-01",
        "source": "Pengumuman BPJS Ketenagakerjaan (contoh uji)"})
    assert response.status_code == 302
    book = money.ledger(company, date(2026, 5, 1))
    # February on the 2025 cap: 10,547,400 x 3% = 316,422; March on the new one: 330,000
    assert [row.by_program["JP"] for row in book.rows] == [316_422, 330_000]
    assert "contoh uji" in client.get("/money/wage-caps").get_data(as_text=True)


def test_the_export_carries_the_balance_of_companies_past_warning_ii(client, make_branch,
                                                                     make_user):
    """Does the company export show the ledger's balances for a company whose open case
    reached warning II, and leave them blank for one that did not?"""
    branch = make_branch()
    fined = factories.company(branch, "PT Didenda", categories=(Category.PWBD,),
                              business_size="medium", workers_estimated=25,
                              average_wage=2_700_000, obliged_on=date(2025, 2, 23))
    walk_to_warning_2(fined.cases[0])
    factories.company(branch, "PT Baru", categories=(Category.PWBD,), workers_estimated=3,
                      average_wage=2_000_000)
    login(client, make_user(Role.OFFICER, branch=branch))
    text = exported(client, "/companies/export.csv").data.decode("utf-8-sig")
    rows = {line.split(";")[0]: line.split(";") for line in text.splitlines()[1:]}
    book = money.ledger(fined, clock.today())
    assert rows["PT Didenda"][-4:] == [str(book.contribution_balance), str(book.fine.amount),
                                       str(book.fine_balance), str(book.balance)]
    assert book.fine.amount > 0
    assert rows["PT Baru"][-4:] == ["", "", "", ""]
