"""API tokens of partner systems and the registration batches they sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import TimestampMixin
from outreach.extensions import db
from outreach.org.models import Branch, Region, User


class Scope:
    """What a token may do: read companies and cases, send registrations, look up sanctions."""

    READ = "read"
    WRITE = "write"
    SANCTIONS = "sanctions"
    ALL = (READ, WRITE, SANCTIONS)


class ApiToken(TimestampMixin, db.Model):
    """A partner system's key to `/api/v1`: scoped to one branch or one region."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: a name an admin recognises, e.g. "dpmptsp-kota-pekalongan"; unique
    name: Mapped[str] = mapped_column(String(80), unique=True)
    #: SHA-256 (hex) of the whole token; the token itself is shown once and never stored
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the token's first characters, shown in the list so that a partner can tell which it holds
    prefix: Mapped[str] = mapped_column(String(16))
    #: the branch whose records it reads (or None with a region)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    #: the region whose branches' records it reads (or None with a branch)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    #: comma-separated Scope codes
    scopes: Mapped[str] = mapped_column(String(60))
    #: last day the token works; None: until revoked
    expires_on: Mapped[date | None] = mapped_column(Date)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the last call made with it
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the admin who made it (None: the command line)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    branch: Mapped[Branch | None] = relationship()
    region: Mapped[Region | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def scope_list(self) -> list[str]:
        """The token's scopes, in the order of `Scope.ALL`."""
        held = set(self.scopes.split(","))
        return [s for s in Scope.ALL if s in held]


class RegistrationBatch(db.Model):
    """A batch of registrations a membership system sent, kept by its id so that sending it
    again changes nothing and answers the same result."""

    __tablename__ = "api_registration_batches"
    __table_args__ = (UniqueConstraint("branch_id", "batch_id",
                                       name="uq_api_registration_batches_branch_batch"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    #: the sender's own id of the batch
    batch_id: Mapped[str] = mapped_column(String(80))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    #: SHA-256 of the batch's rows: the same id with other rows is refused
    sha256: Mapped[str] = mapped_column(String(64))
    #: the import the batch ran as (None when no row matched a company)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("company_imports.id"))
    #: the answer given, given again to a repeat
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
