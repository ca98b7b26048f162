"""Socialisation events (group sessions for companies), who attended, their materials, and the
yearly targets of a branch."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import TimestampMixin, utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.companies.models import Company


class PlaceKind:
    """Where a socialisation event is held."""

    KECAMATAN_HALL = "kecamatan_hall"
    ASSOCIATION = "association"
    CITY_OFFICE = "city_office"
    BRANCH_OFFICE = "branch_office"
    OTHER = "other"
    ALL = (KECAMATAN_HALL, ASSOCIATION, CITY_OFFICE, BRANCH_OFFICE, OTHER)


class PartnerKind:
    """Who holds a socialisation event with the branch."""

    PEMKOT = "pemkot"
    DISNAKER = "disnaker"
    ASSOCIATION = "association"
    NONE = "none"
    ALL = (PEMKOT, DISNAKER, ASSOCIATION, NONE)


class SocialisationTarget(TimestampMixin, db.Model):
    """How many companies a branch means to reach in a year, for the whole branch (`area` "")
    or for one city or regency it serves. Without a row, the target is every company in scope."""

    __tablename__ = "socialisation_targets"
    __table_args__ = (UniqueConstraint("branch_id", "year", "area",
                                       name="uq_socialisation_targets_branch_year_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    year: Mapped[int]
    #: "" for the whole branch, else a city or regency with its prefix ("Kota Pekalongan")
    area: Mapped[str] = mapped_column(String(80), default="")
    #: companies to reach in the year
    companies: Mapped[int]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SocialisationEvent(TimestampMixin, db.Model):
    """A group session where the branch explains the obligation to companies."""

    __tablename__ = "socialisation_events"
    __table_args__ = (Index("ix_socialisation_events_branch_held", "branch_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    held_on: Mapped[date] = mapped_column(Date)
    #: e.g. "Aula Kecamatan Pekalongan Utara"
    place: Mapped[str] = mapped_column(String(200))
    #: one of PlaceKind
    place_kind: Mapped[str] = mapped_column(String(20))
    #: the kecamatan the event is held in (or for), if any
    kecamatan: Mapped[str] = mapped_column(String(80), default="")
    #: one of PartnerKind
    partner_kind: Mapped[str] = mapped_column(String(20), default=PartnerKind.NONE)
    #: the partner's name, e.g. "Dinas Tenaga Kerja Kota Pekalongan", "Asosiasi Batik"
    partner_name: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    attendance: Mapped[list[EventAttendance]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventAttendance.id")
    materials: Mapped[list[EventMaterial]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventMaterial.id")


class EventAttendance(db.Model):
    """A company that attended an event."""

    __tablename__ = "event_attendance"
    __table_args__ = (UniqueConstraint("event_id", "company_id",
                                       name="uq_event_attendance_event_company"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("socialisation_events.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    #: who came for the company, as the sign-in sheet says
    person: Mapped[str] = mapped_column(String(120), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    event: Mapped[SocialisationEvent] = relationship(back_populates="attendance")
    company: Mapped[Company] = relationship()


class EventMaterial(db.Model):
    """A file shown or handed out at an event (slides, leaflet), kept in the database."""

    __tablename__ = "event_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the event's branch, so that a download is scoped like every record
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("socialisation_events.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    event: Mapped[SocialisationEvent] = relationship(back_populates="materials")
