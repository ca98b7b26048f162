"""Indonesian first, English on request; Indonesian dates and Rupiah."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from outreach.core import clock
from outreach.core.formatting import format_npwp, long_date, rupiah, short_date, weekday_date
from outreach.org.models import Role
from tests.conftest import login, post


def test_dates_the_indonesian_way(app):
    """Dates read "17 Januari 2022" and "Senin, 17 Januari 2022"."""
    with app.test_request_context():
        assert long_date(date(2022, 1, 17)) == "17 Januari 2022"
        assert weekday_date(date(2022, 1, 17)) == "Senin, 17 Januari 2022"
        with force_locale("en"):
            assert long_date(date(2022, 1, 17)) == "17 January 2022"


def test_a_short_date_keeps_its_year_when_not_this_year(app):
    """A task card's day: "Sen, 15 Des" this year, "Sen, 15 Des 2025" another year."""
    with app.test_request_context():
        this_year = clock.today().year
        assert short_date(date(this_year, 1, 5)).endswith(" Jan")
        assert short_date(date(2025, 12, 15)) == "Sen, 15 Des 2025"


def test_a_moment_is_dated_by_its_day_in_jakarta(app):
    """A record written at 18.40 UTC on 1 December is dated 2 December in WIB, the day the
    step written with it carries."""
    with app.test_request_context():
        assert long_date(datetime(2026, 12, 1, 18, 40, tzinfo=UTC)) == "2 Desember 2026"
        assert long_date(datetime(2026, 12, 1, 18, 40)) == "2 Desember 2026"  # stored naive
        assert long_date(datetime(2026, 12, 1, 16, 59, tzinfo=UTC)) == "1 Desember 2026"


@pytest.mark.parametrize("amount, shown", [(1234567, "Rp1.234.567"), (0, "Rp0"),
                                           (-2500, "-Rp2.500"), (999.6, "Rp1.000")])
def test_rupiah(app, amount, shown):
    """Rupiah reads "Rp1.234.567"."""
    with app.test_request_context():
        assert rupiah(amount) == shown


def test_npwp_shown_with_its_punctuation():
    """A 15-digit NPWP is shown as 01.234.567.8-901.000."""
    assert format_npwp("012345678901000") == "01.234.567.8-901.000"
    assert format_npwp("0123456789012345") == "0123 4567 8901 2345"


def test_interface_is_indonesian_by_default(client):
    """A first visit shows the sign-in page in Indonesian."""
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Kata sandi" in page
    assert 'lang="id"' in page


def test_user_switches_to_english_and_back(client, make_branch, make_user):
    """A user's choice of English is kept for their account, and switching back works."""
    user = make_user(Role.OFFICER, branch=make_branch())
    login(client, user)
    response = post(client, "/language", {"locale": "en", "next": "/companies/"},
                    follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Companies" in page and "Sign out" in page
    assert user.locale == "en"
    fresh = client.application.test_client()
    login(fresh, user)
    assert "Sign out" in fresh.get("/companies/").get_data(as_text=True)
    response = post(client, "/language", {"locale": "id", "next": "/companies/"},
                    follow_redirects=True)
    assert "Keluar" in response.get_data(as_text=True)


def test_catalog_translates_every_string(app):
    """Every string the interface shows has an Indonesian translation."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    catalog_path = Path(app.root_path) / "translations/id/LC_MESSAGES/messages.po"
    with catalog_path.open("rb") as handle:
        catalog = read_po(handle)
    def untranslated(message) -> bool:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return message.fuzzy or not all(strings)

    missing = [m.id for m in catalog if m.id and untranslated(m)]
    assert missing == []
