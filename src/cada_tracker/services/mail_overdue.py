"""What the mail loop adds to ``cada overdue``: bounces, replies to qualify, downloads.

Plain SQL over the partial index ``ix_event_mail`` (migration 0007), no ORM, like
the rest of the weekly check. An event stops asking once it is answered: a bounce
by a later ``sent`` event (by post), a reply by a later ``answer``; cancelled
events count for nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from cada_tracker.dates import format_fr
from cada_tracker.services.overdue import Item

_QUERY = """
SELECT r.reference, a.name, r.subject, e.kind, e."on", m.download_until, m.download_links
FROM event AS e
JOIN request AS r ON r.id = e.request_id
JOIN administration AS a ON a.id = r.administration_id
LEFT JOIN mail_message AS m ON m.event_id = e.id
WHERE e.kind IN ('mail', 'bounce')
  AND (e.kind = 'bounce' OR e.outcome = 'reply')
  AND r.status != 'closed'
  AND NOT EXISTS (SELECT 1 FROM event AS c WHERE c.request_id = e.request_id
                  AND c.kind = 'cancel' AND c.cancels_id = e.id)
  AND NOT EXISTS (
      SELECT 1 FROM event AS x WHERE x.request_id = e.request_id AND x.id > e.id
        AND x.kind = CASE WHEN e.kind = 'bounce' THEN 'sent' ELSE 'answer' END
        AND NOT EXISTS (SELECT 1 FROM event AS c2 WHERE c2.request_id = x.request_id
                        AND c2.kind = 'cancel' AND c2.cancels_id = x.id))
"""


class MailItem(Item):
    """An overdue item from an e-mail; ``row`` holds (message date, download links)."""

    __slots__ = ()

    @property
    def message(self) -> str:
        on, links = self.row
        ref = self.reference
        if self.category == "mail_bounce":
            return f"courriel non distribué : envoyer par la poste (cada export {ref})"
        if self.category == "mail_download":
            return f"télécharger avant le {format_fr(self.date)} : {links}"
        return (f"réponse à qualifier : cada answer {ref} --on {on.isoformat()} --outcome "
                "full|partial|refusal|fees|extension")


def _as_date(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def mail_items(connection, *, today: date, campaign: str | None = None) -> Iterator[MailItem]:
    """``connection``: a readdb.Reader or a SQLAlchemy connection."""
    from cada_tracker.readdb import as_reader

    sql = _QUERY + (" AND r.campaign = :campaign" if campaign else "")
    for ref, name, subject, kind, on, until, links in as_reader(connection).rows(
            sql, {"campaign": campaign}):
        on, until = _as_date(on), _as_date(until)
        extra = (on, links or "")
        if kind == "bounce":
            yield MailItem(ref, name, subject, "mail_bounce", True, on, (on - today).days, extra)
            continue
        yield MailItem(ref, name, subject, "mail_reply", True, on, (on - today).days, extra)
        if until is not None:
            yield MailItem(ref, name, subject, "mail_download", True, until,
                           (until - today).days, extra)
