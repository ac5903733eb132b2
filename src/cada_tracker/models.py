"""SQLModel tables: the legal record of a user's requests.

Statuses, document outcomes and deadline columns are *derived* from events by
``services.lifecycle``; users never type them in. Events are append-only: a
mistaken event is cancelled by a later ``cancel`` event, never erased.
"""

from __future__ import annotations

from datetime import date, datetime, UTC

from sqlalchemy import Index, MetaData, text
from sqlmodel import Field, SQLModel

# Constraint names are needed by Alembic's batch mode on SQLite (stack notes).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


class Administration(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    kind: str = "autre"
    addressee: str | None = None
    street: str = ""  # postal lines joined with "\n"
    postcode: str = ""
    city: str = ""
    email: str | None = None
    web_form: str | None = None  # some administrations only take requests through a form
    prada_name: str | None = None
    prada_email: str | None = None
    department: str | None = Field(default=None, index=True)
    # "la commune de Nice": the name as letters use it in a sentence (NULL: derived).
    designation: str | None = None
    source_key: str | None = Field(default=None, unique=True)  # stable key of an import
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AdministrationTag(SQLModel, table=True):
    __tablename__ = "administration_tag"
    administration_id: int = Field(
        foreign_key="administration.id", primary_key=True, ondelete="CASCADE"
    )
    tag: str = Field(primary_key=True, index=True)


class Request(SQLModel, table=True):
    # Requests waiting for something, with every column cada overdue reads: the weekly
    # check scans this small partial index, never the table (migration 0003).
    __table_args__ = (
        Index("ix_request_pending_clock", "action_from", "action_due", "confirmed_refusal_on",
              "next_action", "reference", "administration_id", "subject", "campaign",
              "implicit_refusal_on", "cada_deadline_on", "court_deadline_on",
              sqlite_where=text("next_action IS NOT NULL"),
              postgresql_where=text("next_action IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True)
    administration_id: int = Field(foreign_key="administration.id", index=True)
    subject: str
    mode: str = "email"  # email | paper | consultation
    regime: str = "general"  # general | environment | archives
    campaign: str | None = Field(default=None, index=True)
    template: str = "demande"
    letter_html: str = ""
    profile: str = ""
    sender_name: str = ""
    sender_address: str = ""
    sender_email: str = ""
    sender_city: str = ""
    # Derived from events by services.events.refresh(); never typed in.
    status: str = Field(default="draft", index=True)
    sent_on: date | None = None
    received_on: date | None = None
    # The legal clock, stored when events change (services.deadlines_sync) so that
    # `cada overdue` reads an index instead of recomputing every request.
    next_action: str | None = None
    action_from: date | None = Field(default=None, index=True)
    action_due: date | None = Field(default=None, index=True)
    implicit_refusal_on: date | None = None
    cada_deadline_on: date | None = None
    confirmed_refusal_on: date | None = None
    court_deadline_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RequestTag(SQLModel, table=True):
    __tablename__ = "request_tag"
    request_id: int = Field(foreign_key="request.id", primary_key=True, ondelete="CASCADE")
    tag: str = Field(primary_key=True, index=True)


class RequestedDocument(SQLModel, table=True):
    __tablename__ = "requested_document"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True, ondelete="CASCADE")
    position: int
    description: str
    outcome: str = "pending"  # pending | obtained | refused (derived from answer events)


class Event(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True, ondelete="CASCADE")
    kind: str  # sent | received | ack | answer | note | close | cancel
    on: date
    channel: str | None = None
    tracking: str | None = None
    outcome: str | None = None
    mentions: bool | None = None
    got: str | None = None  # document positions, "1,3"
    refused: str | None = None
    reason: str | None = None
    text: str | None = None
    cancels_id: int | None = Field(default=None, foreign_key="event.id")
    recorded_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class StoredFile(SQLModel, table=True):
    __tablename__ = "stored_file"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True, ondelete="CASCADE")
    event_id: int | None = Field(default=None, foreign_key="event.id")
    original_name: str
    path: str  # relative to the data directory
    sha256: str
    size: int
    created_at: datetime = Field(default_factory=utcnow)
