"""What the engine is told about a request, and the checks on those facts (pure).

``inconsistencies`` lists dates that cannot all be true (received before sent, a
refusal before the receipt, a CADA registration before its sending): ``cada
deadlines`` refuses them, the engine flags them (§12bis-12).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# §12bis-9: latest plausible receipt of a request whose receipt date is unknown.
_TRANSIT = {"email": 0, "portal": 0, "hand": 0, "letter": 7, "lrar": 7}
_PROOF = {
    "lrar": "l'avis de réception postal du recommandé",
    "letter": "l'accusé de réception de l'administration (L112-3 CRPA)",
    "email": "l'accusé de réception ou d'enregistrement électronique",
    "portal": "l'accusé de réception ou d'enregistrement électronique",
    "hand": "le récépissé de dépôt",
}


def fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Facts:
    regime: str = "general"
    sent: date | None = None
    sent_via: str | None = None  # lrar | letter | email | portal | hand (vocab.CHANNELS)
    received: date | None = None
    ack_mentions: bool | None = None  # None: no acknowledgement recorded
    extension: date | None = None
    refusal: date | None = None
    refusal_mentions: bool | None = None
    pending_documents: bool = False  # documents still pending after the express refusal
    full_answer: date | None = None
    cada_sent: date | None = None
    cada_registered: date | None = None
    opinion: date | None = None
    opinion_verdict: str | None = None
    confirmation: date | None = None
    confirmation_mentions: bool | None = None
    closed: bool = False


def latest_receipt(facts: Facts) -> date:
    """The receipt date, else the latest plausible one from the sending and its channel."""
    if facts.received is not None:
        return facts.received
    return facts.sent + timedelta(days=_TRANSIT.get(facts.sent_via or "", 7))


def receipt_proof(channel: str | None) -> str:
    """Which proof of receipt to record, for a request sent by ``channel``."""
    return _PROOF.get(channel or "", "l'avis de réception postal, ou l'accusé de réception "
                                     "ou d'enregistrement électronique")


def inconsistencies(facts: Facts) -> list[str]:
    """Dates that contradict each other, in French (empty when the facts hold together)."""
    out = []
    if facts.sent and facts.received and facts.received < facts.sent:
        out.append(f"réception le {fr(facts.received)}, avant l'envoi du {fr(facts.sent)}")
    start = facts.received or facts.sent
    what = "la réception" if facts.received else "l'envoi"
    for label, when in (("refus exprès", facts.refusal), ("prolongation", facts.extension)):
        if when and start and when < start:
            out.append(f"{label} le {fr(when)}, avant {what} du {fr(start)}")
    if facts.cada_sent and facts.cada_registered and facts.cada_registered < facts.cada_sent:
        out.append(f"enregistrement par la CADA le {fr(facts.cada_registered)}, avant l'envoi "
                   f"de la saisine le {fr(facts.cada_sent)}")
    # §12bis-12: a refusal confirmed after the referral cannot come before it.
    referral = facts.cada_sent or facts.cada_registered
    if facts.confirmation and referral and facts.confirmation < referral:
        how = "l'envoi" if facts.cada_sent else "l'enregistrement"
        out.append(f"refus confirmé le {fr(facts.confirmation)}, avant {how} de la saisine "
                   f"de la CADA le {fr(referral)}")
    return out
