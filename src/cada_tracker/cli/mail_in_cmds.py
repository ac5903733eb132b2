"""cada mail import, fetch, inbox and assign: the replies brought back into the record."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import date_parser, locations, session, today
from cada_tracker.cli.mail_common import JSON, local_time, mail_config, mail_line, mail_secret


def _print_import(report, json_out: bool, *, summary: bool = True) -> None:
    # output.info/warn/success never interpret markup: text from e-mails is only cleaned.
    from cada_tracker.dates import format_fr
    from cada_tracker.mail.parse import clean
    from cada_tracker.vocab import MAIL_KINDS

    data = report.to_dict()
    if json_out:
        output.print_json(data)
        return
    for m in data["matched"]:
        guess = " (deviné d'après l'expéditeur : vérifiez)" if m["matched_by"] == "sender" \
            else ""
        files = f" ; fichiers : {', '.join(clean(f) for f in m['files'])}" if m["files"] else ""
        output.info(f"{m['reference']} : {MAIL_KINDS.get(m['kind'], m['kind'])} du "
                    f"{format_fr(m['on'])}{guess}{files}")
    for b in data["bounces"]:
        output.warn(f"{b['reference']} : courriel non distribué : envoyer par la poste "
                    f"(cada export {b['reference']}).")
    for sug in data["suggestions"]:
        if sug["applied"]:
            output.success(f"{sug['reference']} : réception enregistrée le "
                           f"{format_fr(sug['on'])} (accusé automatique).")
        elif sug["reason"]:
            output.info(f"{sug['reference']} : accusé automatique du {format_fr(sug['on'])} "
                        f"non appliqué ({sug['reason']}).")
        else:
            output.info(f"{sug['reference']} : accusé automatique du {format_fr(sug['on'])}. "
                        "À enregistrer si c'est bien la réception :")
            for command in sug["commands"]:
                output.info(f"  {command}")
    for d in data["downloads"]:
        output.warn(f"{d['reference']} : télécharger avant le {format_fr(d['until'])} : "
                    f"{' '.join(clean(link) for link in d['links'])}")
    if data["unmatched"]:
        output.info(f"{len(data['unmatched'])} courriel(s) sans demande : cada mail inbox, "
                    "puis cada mail assign MESSAGE REF.")
    if summary:
        output.info(f"{data['imported']} courriel(s) importé(s), {data['duplicates']} déjà "
                    f"connu(s), {len(data['matched'])} classé(s).")


def import_(
    paths: list[Path] = typer.Argument(..., metavar="CHEMIN...", help="Fichiers .eml, fichiers mbox ou dossiers Maildir."),
    apply_acks: bool = typer.Option(False, "--apply-acks", help="Enregistrer la réception à la date des accusés automatiques."),
    json_out: bool = JSON,
) -> None:
    """Importer des courriels reçus (.eml, mbox, Maildir), les rattacher à leur demande
    et conserver chaque message et ses pièces jointes. Un second import n'ajoute rien.

    \b
    Exemple :
      cada mail import ~/Téléchargements/reponse-mairie.eml
      cada mail import ~/Mail/cada --apply-acks
    """
    from cada_tracker.services.events import files_removed_on_failure
    from cada_tracker.services.mail_in import import_messages, read_sources

    loc = locations()
    with files_removed_on_failure() as written, session(write=True) as s:
        report = import_messages(s, read_sources(list(paths)), today=today(),
                                 files_dir=loc.files_dir, written=written,
                                 apply_acks=apply_acks)
    _print_import(report, json_out)


def inbox(json_out: bool = JSON) -> None:
    """Les courriels importés qui n'ont été rattachés à aucune demande.

    \b
    Exemple :
      cada mail inbox
      cada mail assign 12 2026-0007
    """
    from cada_tracker.services.mail_in import inbox as waiting

    with session() as s:
        rows = waiting(s)
    if json_out:
        output.print_json(rows)
        return
    if not rows:
        output.info("Aucun courriel en attente.")
        return
    from cada_tracker.vocab import MAIL_KINDS

    output.table("Courriels sans demande", ["N°", "Date", "De", "Objet", "Genre"],
                 ((r["id"], local_time(r["date"]),
                   mail_line(r["from"]), mail_line(r["subject"]), MAIL_KINDS.get(r["kind"], r["kind"]))
                  for r in rows),
                 caption="cada mail assign N° REF pour classer un courriel")


def assign(
    message: str = typer.Argument(..., metavar="MESSAGE", help="Message-ID du courriel, ou son numéro dans cada mail inbox."),
    reference: str = typer.Argument(..., metavar="REF", help="Référence de la demande."),
    json_out: bool = JSON,
) -> None:
    """Classer un courriel en attente dans une demande (avec ses pièces jointes).

    \b
    Exemple :
      cada mail assign '<abc@mairie.example>' 2026-0007
    """
    from cada_tracker.services.events import files_removed_on_failure
    from cada_tracker.services.mail_in import assign as file_it

    loc = locations()
    with files_removed_on_failure() as written, session(write=True) as s:
        report = file_it(s, message=message, reference=reference, today=today(),
                         files_dir=loc.files_dir, written=written)
    _print_import(report, json_out, summary=False)


def fetch(
    since: date = typer.Option(None, "--since", metavar="DATE", parser=date_parser("--since"), help="Seulement les courriels reçus depuis cette date."),
    apply_acks: bool = typer.Option(False, "--apply-acks", help="Enregistrer la réception à la date des accusés automatiques."),
    json_out: bool = JSON,
) -> None:
    """Relever le dossier IMAP configuré, en lecture seule (rien n'y est modifié ni
    marqué comme lu), et importer ce qui est nouveau comme cada mail import.

    \b
    Exemple :
      cada mail fetch
      cada mail fetch --since 2026-03-01 --apply-acks
    """
    from cada_tracker.errors import CadaError
    from cada_tracker.mail.transport import imap_messages, imap_session
    from cada_tracker.services.events import files_removed_on_failure
    from cada_tracker.services.mail_in import import_messages

    config = mail_config()
    if config.imap is None:
        raise CadaError("Aucun serveur IMAP configuré.",
                        hint="cada mail setup … --imap-host H --imap-port P")
    secret = mail_secret(config)
    loc = locations()
    with imap_session(config.imap, secret) as client, \
            files_removed_on_failure() as written, session(write=True) as s:
        report = import_messages(
            s, imap_messages(client, config.folder, since=since, secret=secret),
            today=today(), files_dir=loc.files_dir, written=written, apply_acks=apply_acks)
    _print_import(report, json_out)
