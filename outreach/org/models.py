"""The organisation: regional offices, branches and the people who sign in."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from outreach.core.db import TimestampMixin
from outreach.extensions import db

DEFAULT_NUMBER_FORMAT = "{seq:03d}/{class}/{unit}/{month_roman}/{year}"


class Role:
    """The four roles; officers and supervisors work inside one branch."""

    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    REGIONAL = "regional"
    ADMIN = "admin"
    ALL = (OFFICER, SUPERVISOR, REGIONAL, ADMIN)
    BRANCH_ROLES = (OFFICER, SUPERVISOR)


class Region(db.Model):
    """A regional office (Kantor Wilayah) grouping branches."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: short code, e.g. "JATENG-DIY"
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    branches: Mapped[list[Branch]] = relationship(back_populates="region")


class Branch(TimestampMixin, db.Model):
    """A branch office (Kantor Cabang): the unit that owns companies, cases and letters."""

    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: code as used in the agency, e.g. "KC-PKL"
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    #: city printed before the date of a letter ("Pekalongan, 17 Januari 2022")
    city: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    #: head of branch who signs letters
    head_name: Mapped[str] = mapped_column(String(120), default="")
    head_title: Mapped[str] = mapped_column(String(120), default="Kepala Kantor Cabang")
    #: unit code used in letter numbers, e.g. "KC-PKL"
    letter_unit_code: Mapped[str] = mapped_column(String(20), default="")
    #: pattern of letter numbers
    letter_number_format: Mapped[str] = mapped_column(String(80),
                                                      default=DEFAULT_NUMBER_FORMAT)
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region | None] = relationship(back_populates="branches")
    users: Mapped[list[User]] = relationship(back_populates="branch")


def new_session_token() -> str:
    """A fresh random token that ties sessions and remember cookies to one sign-in epoch."""
    return secrets.token_urlsafe(32)


class User(TimestampMixin, db.Model):
    """Someone who signs in: an officer, supervisor, regional staff member or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: sign-in name, stored lower-case
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    #: home branch of officers and supervisors
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    #: region that regional staff read
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    #: interface language: "id" or "en"
    locale: Mapped[str] = mapped_column(String(5), default="id")
    #: office phone printed in letters where the user is the company's contact person
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    #: part of the id in every session and remember cookie; a new one ends them all
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token,
                                               server_default="")
    #: the password was chosen by an admin (`flask users create`): the first sign-in changes it
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: base32 secret of the authenticator app (TOTP, RFC 6238); empty while two-factor is off
    totp_secret: Mapped[str] = mapped_column(String(64), default="", server_default="")
    #: when two-factor sign-in was switched on; None while it is off
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the last 30-second time step a code was accepted for: a code works once
    totp_last_step: Mapped[int] = mapped_column(default=0, server_default="0")
    #: SHA-256 hashes of the unused recovery codes, one a line
    recovery_codes: Mapped[str] = mapped_column(Text, default="", server_default="")

    branch: Mapped[Branch | None] = relationship(back_populates="users")
    region: Mapped[Region | None] = relationship()

    # What Flask-Login asks of a signed-in user; anonymous visitors are its own class.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and the remember cookie: the account and
        its current session token, so that rotating the token ends both."""
        return f"{self.id}:{self.session_token}"

    @property
    def two_factor(self) -> bool:
        """Whether sign-in asks for an authenticator code after the password."""
        return self.totp_enabled_at is not None

    def set_password(self, password: str) -> None:
        """Store a scrypt hash of the password."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class PartnerKind:
    """The partner offices a branch writes to or copies letters to, for a city or regency."""

    #: the one-stop permit office (Dinas Penanaman Modal dan PTSP): TMP2T is addressed to it
    DPMPTSP = "dpmptsp"
    #: the labour office (Dinas Tenaga Kerja): copies of letters to the company
    DISNAKER = "disnaker"
    #: the district prosecutor (Kejaksaan Negeri): the legal referral is addressed to it
    KEJARI = "kejari"
    ALL = (DPMPTSP, DISNAKER, KEJARI)


class PartnerOffice(TimestampMixin, db.Model):
    """A partner office of a branch for one city or regency (Kota or Kabupaten) it covers."""

    __tablename__ = "partner_offices"
    __table_args__ = (UniqueConstraint("branch_id", "kind", "area",
                                       name="uq_partner_offices_branch_kind_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    #: one of PartnerKind
    kind: Mapped[str] = mapped_column(String(20))
    #: the city or regency it serves, with its prefix, e.g. "Kota Pekalongan", "Kabupaten Batang"
    area: Mapped[str] = mapped_column(String(80))
    #: the office's name, e.g. "Kejaksaan Negeri Kota Pekalongan"
    name: Mapped[str] = mapped_column(String(200))
    #: the title letters are addressed to, e.g. "Kepala Kejaksaan Negeri Kota Pekalongan"
    head_title: Mapped[str] = mapped_column(String(200))
    head_name: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(255), default="")

    branch: Mapped[Branch] = relationship()
