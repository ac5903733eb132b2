"""cada dossier: the request, its proofs and the refusal in one PDF, pieces numbered."""

from __future__ import annotations

from pathlib import Path

import typer

from cada_tracker.cli import output


def register(app: typer.Typer) -> None:
    app.command("dossier")(dossier)


def dossier(
    reference: str = typer.Argument(..., metavar="REF", help="Référence de la demande."),
    purpose: str = typer.Option("cada", "--for", help="Destinataire : cada (saisine) ou court (tribunal administratif)."),
    out: Path = typer.Option(Path("."), "--out", help="Dossier où écrire le PDF (défaut : le dossier courant)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Produire le dossier d'une demande en un seul PDF : un bordereau des pièces, puis
    chaque pièce dans l'ordre (la demande, la preuve de son envoi et de sa réception,
    l'accusé de réception, la réponse ou le refus, les relances ; pour le tribunal,
    la saisine de la CADA, son enregistrement et son avis). Chaque page porte
    « Pièce n° N ». C'est ce que prennent le formulaire en ligne de la CADA et
    Télérecours citoyens.

    \b
    Exemple :
      cada dossier 2026-0042
      cada dossier 2026-0042 --for court --out recours/
    """
    from cada_tracker.cli.common import locations, session, today
    from cada_tracker.errors import InputError
    from cada_tracker.fileio import prepare_out_dir
    from cada_tracker.services import dossier as service
    from cada_tracker.vocab import choice

    purpose = choice(purpose, service.PURPOSES, field="--for")
    loc = locations()
    with session() as s:
        request, admin, events, files = service.load(s, reference, loc.data_dir)
        pieces = service.plan(reference=request.reference, letter_html=request.letter_html,
                              events=events, files=files, purpose=purpose)
        opinions = []
        if purpose == "cada":  # what the CADA already said, when its index is built
            from cada_tracker.services.avis import cited_opinions

            opinions = cited_opinions(s, admin=admin, subject=request.subject)
    if not request.letter_html:
        raise InputError(f"La demande {request.reference} n'a pas de courrier conservé.")
    target, separate = service.build(
        request=request, admin=admin, pieces=pieces, purpose=purpose, data_dir=loc.data_dir,
        out_dir=prepare_out_dir(out), today=today(), user_dir=loc.user_letters_dir,
        opinions=opinions)
    if json_out:
        output.print_json({"path": str(target),
                           "pieces": [{"number": p.number, "title": p.title, "pages": p.pages}
                                      for p in pieces],
                           "opinions": [a["number"] for a in opinions],
                           "separate": [str(p) for p in separate]})
        return
    output.plain_table(f"Dossier pour {service.PURPOSES[purpose]} : {target}",
                       ["N°", "Pièce", "Pages"], ((p.number, p.title, p.pages) for p in pieces))
    if opinions:
        output.info("Avis favorables de la CADA cités au bordereau : "
                    + ", ".join(f"n° {a['number']}" for a in opinions))
    for path in separate:
        output.info(f"Joint séparément : {path}")
    output.success(f"Dossier écrit : {target}")
