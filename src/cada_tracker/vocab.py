"""The closed vocabularies of cada: stored keys (English) and their French labels.

Pure data, cheap to import: the CLI builds its choices and help from it.
"""

from __future__ import annotations

ADMIN_KINDS = {
    "commune": "commune",
    "intercommunalite": "intercommunalité",
    "departement": "département",
    "region": "région",
    "prefecture": "préfecture",
    "sous_prefecture": "sous-préfecture",
    "ministere": "ministère",
    "etablissement_public": "établissement public",
    "autre": "autre",
}
# Accept the accented spellings users type.
ADMIN_KIND_ALIASES = {
    "intercommunalité": "intercommunalite",
    "département": "departement",
    "région": "region",
    "préfecture": "prefecture",
    "sous-préfecture": "sous_prefecture",
    "sous-prefecture": "sous_prefecture",
    "sous préfecture": "sous_prefecture",
    "ministère": "ministere",
    "établissement public": "etablissement_public",
    "etablissement-public": "etablissement_public",
    "établissement-public": "etablissement_public",
    "epci": "intercommunalite",
}

MODES = {
    "email": "par courrier électronique",
    "paper": "copie papier",
    "consultation": "consultation sur place",
}
REGIMES = {
    "general": "régime général (CRPA)",
    "environment": "information environnementale (C. env. L124-1)",
    "archives": "archives publiques (C. patrimoine L213-3)",
}
CHANNELS = {
    "lrar": "recommandé avec accusé de réception",
    "letter": "lettre simple",
    "email": "courrier électronique",
    "portal": "téléservice",
    "hand": "remise en main propre",
}
OUTCOMES = {
    "full": "communication complète",
    "partial": "communication partielle",
    "refusal": "refus exprès",
    "fees": "frais demandés",
    "extension": "prolongation notifiée",
}
CLOSE_REASONS = {
    "obtained": "documents obtenus",
    "abandoned": "abandonnée",
    "withdrawn": "retirée",
}
VERDICTS = {
    "favorable": "favorable",
    "unfavorable": "défavorable",
    "partial": "partiellement favorable",
    "moot": "sans objet",
    "inadmissible": "irrecevable",
    "incompetent": "incompétence",
}
# What a received e-mail looks like (cada mail import): the outcome of its "mail" event.
MAIL_KINDS = {
    "reply": "réponse à qualifier",
    "ack": "accusé de réception automatique",
    "auto_reply": "réponse automatique (absence), ne vaut pas réponse",
    "bounce": "non distribué",
    "request": "demande",
}
DOCUMENT_OUTCOMES = {"pending": "en attente", "obtained": "obtenu", "refused": "refusé"}

STATUSES = {
    "draft": "brouillon",
    "sent": "envoyée",
    "received": "reçue par l'administration",
    "partial": "réponse partielle",
    "refused": "refus exprès",
    "fees": "frais demandés",
    "extended": "délai prolongé",
    "answered": "documents communiqués",
    "referred": "CADA saisie",
    "opinion": "avis de la CADA rendu",
    "court": "recours au tribunal",
    "closed": "close",
}
EVENT_KINDS = {
    "sent": "envoi",
    "received": "réception par l'administration",
    "ack": "accusé de réception de l'administration",
    "answer": "réponse",
    "remind": "relance",
    "referred": "saisine de la CADA",
    "registered": "enregistrement par la CADA",
    "opinion": "avis de la CADA",
    "court": "recours au tribunal administratif",
    "note": "note",
    "mail": "courriel reçu",
    "bounce": "courriel non distribué",
    "close": "clôture",
    "cancel": "annulation",
}


def choice(value: str, allowed: dict[str, str], *, field: str, aliases: dict | None = None) -> str:
    """Normalise a user's choice or raise an InputError listing the allowed values."""
    from cada_tracker.errors import InputError

    key = value.strip().lower()
    if aliases:
        key = aliases.get(key, key)
    if key not in allowed:
        raise InputError(
            f"{field} : « {value} » n'est pas une valeur possible "
            f"(valeurs : {', '.join(allowed)})."
        )
    return key

# The steps of the legal clock (keys are the public JSON contract of cada deadlines).
STEP_LABELS = {
    "implicit_refusal": "Refus implicite",
    "cada_earliest": "Saisine de la CADA possible dès",
    "cada_deadline": "Saisine de la CADA au plus tard",
    "cada_opinion_due": "Avis de la CADA attendu (indicatif)",
    "confirmed_refusal": "Refus confirmé",
    "court_deadline": "Recours au tribunal au plus tard",
    "reasonable_delay": "Délai raisonnable (un an, à ne pas viser)",
    # The pending step's legal last day, in the calendar (cada calendar).
    "cada_deadline_legal": "Saisine de la CADA : dernier jour légal",
    "court_deadline_legal": "Recours au tribunal : dernier jour légal",
}

# Outcome of the events a grouped referral records (L342-1 al. 2): the referral of
# each referred request, and the note on each request only informed of it.
SERIES_LABEL = {"series": "saisine groupée (série)"}
