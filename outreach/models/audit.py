"""The audit trail: who changed what, when, from what to what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db
from outreach.models.base import utcnow


class AuditEvent(db.Model):
    """One recorded change."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    #: "company", "case", "step", "letter", "user", "branch" …
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int | None]
    #: what happened, e.g. "create", "update", "step.logged"
    action: Mapped[str] = mapped_column(String(40))
    #: {"field": [before, after]} for updates; the new values for creations
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
