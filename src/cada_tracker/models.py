"""SQLModel tables: the legal record of a user's requests.

Statuses, document outcomes and deadline columns are *derived* from events by
``services.lifecycle``; users never type them in. Events are append-only: a
mistaken event is cancelled by a later ``cancel`` event, never erased.
"""

from __future__ import annotations

from datetime import date, datetime, UTC

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, MetaData, UniqueConstraint, event, text
from sqlmodel import Field, SQLModel

from cada_tracker import folding

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
    # The name as directories agree on it, with the postal code: one body, one row
    # (cada_tracker.folding, migration 0010).
    __table_args__ = (Index("ix_administration_name_key", "name_key", "postcode"),)

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
    # Derived from name, city and postal code on every write (see _keys below).
    search_key: str = Field(default="", index=True)
    name_key: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AdministrationAlias(SQLModel, table=True):
    """Another directory's key for the same body (a merge at import or by
    ``cada admin merge``): a re-import of that directory finds this row by it."""

    __tablename__ = "administration_alias"
    key: str = Field(primary_key=True)
    administration_id: int = Field(foreign_key="administration.id", index=True,
                                   ondelete="CASCADE")


class AdministrationTag(SQLModel, table=True):
    __tablename__ = "administration_tag"
    administration_id: int = Field(
        foreign_key="administration.id", primary_key=True, ondelete="CASCADE"
    )
    tag: str = Field(primary_key=True, index=True)


class Request(SQLModel, table=True):
    # Requests waiting for something, with every column cada overdue reads: the weekly
    # check scans this small partial index, never the table (migrations 0003, 0005).
    __table_args__ = (
        Index("ix_request_pending_clock", "action_from", "action_due", "confirmed_refusal_on",
              "next_action", "reference", "administration_id", "subject", "campaign",
              "implicit_refusal_on", "cada_deadline_on", "court_deadline_on",
              "action_due_legal", "reasonable_delay_on",
              sqlite_where=text("next_action IS NOT NULL"),
              postgresql_where=text("next_action IS NOT NULL")),
        # The orders of cada list --sort: a page is read along one (migration 0013).
        Index("ix_request_list_created", "created_at", "reference"),
        Index("ix_request_list_sent", "sent_on", "reference"),
        Index("ix_request_list_status", "status", "reference"),
        Index("ix_request_list_deadline", "action_due", "reference"),
        Index("ix_request_list_admin", "administration_id", "reference"),
        # Every column cada stats and cada campaign aggregate (migration 0014).
        Index("ix_request_outcome", "campaign", "administration_id", "sent_on",
              "received_on", "implicit_refusal_on", "answered_on", "express_refusal",
              "referred_on", "obtained", "profile", "subject", "response_days"),
        # What cada stats sums over the whole archive, by administration (0017, 0020).
        Index("ix_request_stats", "administration_id", "sent_on", "implicit_refusal_on",
              "answered_on", "express_refusal", "referred_on", "obtained", "response_days"),
        # The series of a campaign, read by cada overdue and cada calendar: its subjects
        # counted in order, its members a range of one subject (0015, reordered in 0019).
        Index("ix_request_series_subject", "campaign", "subject", "administration_id",
              "reference", "sent_on",
              sqlite_where=text("sent_on IS NOT NULL"),
              postgresql_where=text("sent_on IS NOT NULL")),
        # Every column cada calendar reads, pending requests only, a campaign's
        # members together (migration 0016).
        Index("ix_request_calendar", "campaign", "reference", "administration_id", "subject",
              "regime", "next_action", "action_due", "action_due_legal",
              "implicit_refusal_on", "implicit_refusal_safe_on", "cada_deadline_on",
              "cada_deadline_legal_on", "confirmed_refusal_on", "court_deadline_on",
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
    search_key: str = Field(default="", index=True)  # reference and subject, folded
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
    action_due: date | None = Field(default=None, index=True)  # the safe date
    action_due_legal: date | None = None  # the legal last day of the same step
    reasonable_delay_on: date | None = None  # the one-year bound, when not opposable
    implicit_refusal_on: date | None = None
    implicit_refusal_safe_on: date | None = None  # earlier with an env. extension (0016)
    cada_deadline_on: date | None = None
    cada_deadline_legal_on: date | None = None  # the referral's legal last day (0016)
    confirmed_refusal_on: date | None = None
    court_deadline_on: date | None = None
    # What the statistics read, derived from events with the clock
    # (lifecycle.derive_summary, migration 0014): cada stats and cada campaign sum
    # these from the index ix_request_outcome instead of reading every event.
    answered_on: date | None = None  # the first answer that decides something
    express_refusal: bool = False
    referred_on: date | None = None
    closed_on: date | None = None
    closed_reason: str | None = None
    obtained: bool = False  # a document obtained, or closed as obtained
    # Days from the receipt (else the sending) to the first answer (migration 0020).
    response_days: int | None = None
    # The request's public page when it was made on an Alaveteli site (cada madada
    # import, migration 0012): shown, quoted by the referral, the key of a re-import.
    source_url: str | None = Field(default=None, unique=True, index=True)
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
    search_key: str = ""  # the description, folded


class Event(SQLModel, table=True):
    # E-mail events that cada overdue reads (bounces, replies to qualify): migration 0007.
    __table_args__ = (
        Index("ix_event_mail", "request_id", "kind",
              sqlite_where=text("kind IN ('mail', 'bounce')"),
              postgresql_where=text("kind IN ('mail', 'bounce')")),
        # The Alaveteli event an imported event came from (migration 0012).
        Index("ix_event_source", "request_id", "source_key", unique=True),
        # Referrals to the CADA: a campaign's grouped referral (migration 0014).
        Index("ix_event_referred", "request_id", "on", "outcome",
              sqlite_where=text("kind = 'referred'"),
              postgresql_where=text("kind = 'referred'")),
    )

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
    source_key: str | None = None  # "alaveteli:<event id>" (cada madada import)
    created_at: datetime = Field(default_factory=utcnow)


#: A size in bytes: 64 bits (BIGINT on PostgreSQL since 0018; SQLite's INTEGER is).
SIZE = BigInteger().with_variant(Integer(), "sqlite")


class StoredFile(SQLModel, table=True):
    __tablename__ = "stored_file"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True, ondelete="CASCADE")
    event_id: int | None = Field(default=None, foreign_key="event.id")
    original_name: str
    path: str  # relative to the data directory
    sha256: str
    size: int = Field(sa_type=SIZE)  # bytes
    created_at: datetime = Field(default_factory=utcnow)


class MailMessage(SQLModel, table=True):
    """An e-mail sent for a request or received from an administration (``cada mail``).

    ``message_id`` makes imports idempotent. A received message that matches no
    request keeps its raw bytes in ``raw`` until ``cada mail assign`` files it; once
    filed, the raw message lives as a stored file (``raw_file_id``) and ``raw`` is
    emptied. ``sha256`` is always the hash of the raw message, byte for byte.
    """

    __tablename__ = "mail_message"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True)
    direction: str  # out | in
    state: str  # draft | sent | received
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True,
                                   ondelete="CASCADE")
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    kind: str | None = None  # request | ack | auto_reply | bounce | reply
    matched_by: str | None = None  # thread | subject | sender | manual
    subject: str = ""
    sender: str = ""
    recipients: str = ""
    message_date: datetime | None = None
    in_reply_to: str | None = None
    sha256: str
    size: int = Field(sa_type=SIZE)  # bytes
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    raw_file_id: int | None = Field(default=None, foreign_key="stored_file.id")
    download_until: date | None = None
    download_links: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class StoredContent(SQLModel, table=True):
    """A stored file's bytes, by SHA-256, in the shared database (PostgreSQL only;
    SQLite keeps its files in the private data folder). Content-addressed: one copy
    whoever attached it; the bytes are in ``stored_chunk``, 1 MiB a row, so that
    they are written and read a chunk at a time."""

    __tablename__ = "stored_content"
    sha256: str = Field(primary_key=True)
    size: int = Field(sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow)


class StoredChunk(SQLModel, table=True):
    __tablename__ = "stored_chunk"
    sha256: str = Field(foreign_key="stored_content.sha256", primary_key=True,
                        ondelete="CASCADE")
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_type=LargeBinary)


class SearchEntry(SQLModel, table=True):
    """Text to search (migration 0008): written by ``services.search``, never typed in."""

    __tablename__ = "search_entry"
    __table_args__ = (Index("ix_search_entry_source", "source", "source_id"),)
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True, ondelete="CASCADE")
    source: str  # subject | document | event | letter | file
    source_id: int | None = None  # the document, event or stored file
    chunk: int = 0  # a file's long text is split into chunks
    label: str = ""
    status: str = "ok"  # ok | empty | too_big | timeout | error | unsupported
    body: str = ""


class CampaignField(SQLModel, table=True):
    """What a campaign records from the documents obtained (number of cameras, vendor…)."""

    __tablename__ = "campaign_field"
    __table_args__ = (UniqueConstraint("campaign", "name", name="uq_campaign_field_campaign_name"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign: str = Field(index=True)
    name: str
    kind: str  # text | int | bool | choice
    choices: str | None = None  # JSON list, for kind "choice"
    created_at: datetime = Field(default_factory=utcnow)


class CampaignValue(SQLModel, table=True):
    __tablename__ = "campaign_value"
    request_id: int = Field(foreign_key="request.id", primary_key=True, ondelete="CASCADE")
    field_id: int = Field(foreign_key="campaign_field.id", primary_key=True, ondelete="CASCADE")
    value: str  # canonical text: "12", "oui"/"non", the choice
    updated_at: datetime = Field(default_factory=utcnow)


# Search keys follow the text they fold on every ORM write (add, edit, draft). Bulk
# statements (directory import) and migration 0010 compute them themselves.
@event.listens_for(Administration, "before_insert")
@event.listens_for(Administration, "before_update")
def _admin_keys(_mapper, _connection, admin: Administration) -> None:
    admin.search_key = folding.admin_search_key(admin.name, admin.city, admin.postcode)
    admin.name_key = folding.name_key(admin.name)


@event.listens_for(Request, "before_insert")
@event.listens_for(Request, "before_update")
def _request_key(_mapper, _connection, request: Request) -> None:
    request.search_key = folding.request_search_key(request.reference, request.subject)


@event.listens_for(RequestedDocument, "before_insert")
@event.listens_for(RequestedDocument, "before_update")
def _document_key(_mapper, _connection, document: RequestedDocument) -> None:
    document.search_key = folding.fold(document.description)
