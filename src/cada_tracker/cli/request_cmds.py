"""cada new, edit, list, show: drafting requests and reading them."""

from __future__ import annotations

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import ask, ask_list, locations, session, today
from cada_tracker.vocab import DOCUMENT_OUTCOMES, EVENT_KINDS, MODES, REGIMES, STATUSES

LIST_PAGE = 50


def register(app: typer.Typer) -> None:
    app.command("new")(new)
    app.command("edit")(edit)
    app.command("list")(list_)
    app.command("show")(show)


def new(
    to: int = typer.Option(None, "--to", metavar="ADMIN_ID", help="Numéro de l'administration destinataire."),
    subject: str = typer.Option(None, "--subject", help="Objet de la demande."),
    doc: list[str] = typer.Option(None, "--doc", help="Un document demandé (répétable : un par document)."),
    template: str = typer.Option("demande", "--template", help="Modèle de courrier (cada templates list)."),
    mode: str = typer.Option(None, "--mode", help="Mode de communication : email, paper ou consultation."),
    regime: str = typer.Option("general", "--regime", help="Régime : general, environment ou archives."),
    campaign: str = typer.Option(None, "--campaign", help="Campagne à laquelle rattacher la demande."),
    tag: list[str] = typer.Option(None, "--tag", help="Étiquette (répétable)."),
    profile: str = typer.Option(None, "--profile", help="Profil d'expéditeur (défaut : le profil par défaut)."),
    json_out: bool = typer.Option(False, "--json", help="Afficher la demande créée en JSON."),
) -> None:
    """Rédiger une demande de documents à une administration et l'enregistrer (brouillon).

    Le courrier est rédigé tout de suite et conservé avec la demande : un modèle
    modifié plus tard ne change jamais un courrier déjà envoyé.

    \b
    Exemple :
      cada new --to 1 --subject "Dispositif de vidéosurveillance" \\
          --doc "Liste et localisation des caméras" --doc "Marché de maintenance (CCTP, CCAP)" \\
          --mode email --campaign vsa-2026 --tag videosurveillance
    """
    from cada_tracker.profiles import get_profile
    from cada_tracker.services.requests import Draft, draft_request
    from cada_tracker.services.views import request_view

    loc = locations()
    sender = get_profile(loc.profiles_file, profile)
    admin_id = ask(None if to is None else str(to), flag="--to",
                   label="Numéro de l'administration (cada admin list)")
    if not str(admin_id).isdigit():
        from cada_tracker.errors import InputError

        raise InputError(f"--to : « {admin_id} » n'est pas un numéro d'administration.")
    draft = Draft(
        administration_id=int(admin_id),
        subject=ask(subject, flag="--subject", label="Objet de la demande"),
        documents=ask_list(doc, flag="--doc", label="Document demandé"),
        template=template,
        mode=ask(mode, flag="--mode", label="Mode de communication", default="email",
                 choices=list(MODES)),
        regime=regime,
        campaign=campaign,
        tags=tag or [],
    )
    with session(write=True) as s:
        request = draft_request(s, draft=draft, profile=sender, today=today(),
                                user_letters=loc.user_letters_dir)
        view = request_view(s, request)
    if json_out:
        output.print_json(view)
    output.success(
        f"Demande {view['reference']} rédigée pour {view['administration']['name']} "
        f"({len(view['documents'])} document(s)). Après l'envoi : "
        f"cada sent {view['reference']} --on DATE --via lrar"
    )


def edit(
    reference: str = typer.Argument(..., metavar="REF", help="Référence de la demande (ex. 2026-0042)."),
) -> None:
    """Retoucher le courrier d'un brouillon dans $EDITOR (refusé une fois la demande envoyée).

    \b
    Exemple :
      EDITOR=nano cada edit 2026-0042
    """
    import os
    import shlex
    import subprocess
    import tempfile
    from pathlib import Path

    from cada_tracker.errors import InputError, StateError
    from cada_tracker.services.requests import ensure_draft, get_request, set_letter

    with session(write=True) as s:
        request = get_request(s, reference)
        ensure_draft(request)
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            raise InputError("Aucun éditeur : définissez la variable EDITOR (ex. EDITOR=nano).")
        with tempfile.TemporaryDirectory(prefix="cada-") as tmp:
            path = Path(tmp) / f"{request.reference}.html"
            path.write_text(request.letter_html, encoding="utf-8")
            try:
                status = subprocess.call([*shlex.split(editor), str(path)])
            except OSError as exc:
                raise InputError(f"Éditeur « {editor} » introuvable ({exc.strerror}).") from exc
            if status != 0:
                raise StateError(f"L'éditeur a échoué (code {status}) : courrier inchangé.")
            html = path.read_text(encoding="utf-8")
        if html == request.letter_html:
            output.info("Courrier inchangé.")
            return
        set_letter(s, request=request, html=html)
    output.success(f"Courrier de {reference} mis à jour.")


def list_(
    status: str = typer.Option(None, "--status", help=f"Seulement ce statut ({', '.join(STATUSES)})."),
    admin: int = typer.Option(None, "--admin", metavar="ID", help="Seulement cette administration."),
    campaign: str = typer.Option(None, "--campaign", help="Seulement cette campagne."),
    tag: str = typer.Option(None, "--tag", help="Seulement cette étiquette."),
    search: str = typer.Option(None, "--search", help="Texte cherché (objet, documents, administration)."),
    sort: str = typer.Option("reference", "--sort", help="Tri : reference, created, sent, status, admin."),
    all_rows: bool = typer.Option(False, "--all", help=f"Tout afficher (sinon les {LIST_PAGE} premières)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON (toutes les lignes)."),
    csv_out: bool = typer.Option(False, "--csv", help="Sortie CSV (toutes les lignes)."),
) -> None:
    """Lister les demandes, avec filtres.

    \b
    Exemple :
      cada list --status sent --campaign vsa-2026
      cada list --csv > demandes.csv
    """
    from cada_tracker.services.requests import ListFilter, list_query

    if json_out and csv_out:
        from cada_tracker.errors import InputError

        raise InputError("Choisissez --json ou --csv, pas les deux.")
    query = list_query(ListFilter(status=status, admin_id=admin, campaign=campaign, tag=tag,
                                  search=search, sort=sort))
    columns = ["reference", "status", "administration_id", "administration", "subject",
               "campaign", "sent_on", "received_on"]
    with session() as s:
        rows = s.exec(query)
        if csv_out:
            output.write_csv(columns, ([getattr(r, c) for c in columns] for r in rows))
            return
        if json_out:
            output.print_json([{c: getattr(r, c) for c in columns} for r in rows])
            return
        rows = list(rows)
    if not rows:
        output.info("Aucune demande ne correspond.")
        return
    shown = rows if all_rows else rows[:LIST_PAGE]
    caption = f"{len(rows)} demande(s)"
    if len(shown) < len(rows):
        caption += f", {len(shown)} affichées (--all pour tout, --csv pour exporter)"
    output.table(
        None, ["Réf.", "Statut", "Administration", "Objet", "Envoyée", "Reçue"],
        ((r.reference, STATUSES.get(r.status, r.status), r.administration, r.subject,
          _fr(r.sent_on), _fr(r.received_on)) for r in shown),
        caption=caption,
    )


def _fr(value) -> str:
    from cada_tracker.dates import format_fr

    return format_fr(value)


def show(
    reference: str = typer.Argument(..., metavar="REF", help="Référence de la demande (ex. 2026-0042)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
    letter: bool = typer.Option(False, "--letter", help="Afficher aussi le courrier (HTML)."),
) -> None:
    """Tout sur une demande : administration, documents, chronologie, fichiers.

    \b
    Exemple :
      cada show 2026-0042
      cada show 2026-0042 --json
    """
    from cada_tracker.services.requests import get_request
    from cada_tracker.services.views import request_view

    with session() as s:
        request = get_request(s, reference)
        view = request_view(s, request)
        html = request.letter_html
    if json_out:
        if letter:
            view["letter_html"] = html
        output.print_json(view)
        return
    _print_view(view)
    if letter:
        typer.echo(html)


def _print_view(v: dict) -> None:
    from cada_tracker.vocab import CHANNELS, CLOSE_REASONS, OUTCOMES

    echo = typer.echo
    echo(f"Demande {v['reference']} — {STATUSES.get(v['status'], v['status'])}")
    echo(f"Objet          {v['subject']}")
    echo(f"Administration {v['administration']['name']} (n° {v['administration']['id']})")
    echo(f"Mode           {MODES[v['mode']]} ; {REGIMES[v['regime']]}")
    if v["campaign"]:
        echo(f"Campagne       {v['campaign']}")
    if v["tags"]:
        echo(f"Étiquettes     {', '.join(v['tags'])}")
    echo(f"Expéditeur     {v['sender']['name']} (profil {v['profile']})")
    echo("")
    echo("Documents demandés")
    for d in v["documents"]:
        echo(f"  {d['position']:>2}. [{DOCUMENT_OUTCOMES[d['outcome']]}] {d['description']}")
    echo("")
    echo("Chronologie")
    if not v["events"]:
        echo("  (aucun événement : brouillon non envoyé)")
    for e in v["events"]:
        detail = []
        if e["channel"]:
            detail.append(CHANNELS.get(e["channel"], e["channel"]))
        if e["tracking"]:
            detail.append(f"n° {e['tracking']}")
        if e["outcome"]:
            detail.append(OUTCOMES.get(e["outcome"], e["outcome"]))
        if e["got"]:
            detail.append("obtenus : " + ",".join(map(str, e["got"])))
        if e["refused"]:
            detail.append("refusés : " + ",".join(map(str, e["refused"])))
        if e["mentions"] is not None:
            detail.append("mentions des voies et délais" if e["mentions"]
                          else "SANS les mentions des voies et délais")
        if e["reason"]:
            detail.append(CLOSE_REASONS.get(e["reason"], e["reason"]))
        if e["cancels"]:
            detail.append(f"annule l'événement #{e['cancels']}")
        if e["text"]:
            detail.append(e["text"])
        struck = f" (annulé par #{e['cancelled_by']})" if e["cancelled_by"] else ""
        echo(f"  #{e['id']:<4} {_fr(e['on'])}  {EVENT_KINDS[e['kind']]}"
             f"{' — ' + ' ; '.join(detail) if detail else ''}{struck}")
    if v["files"]:
        echo("")
        echo("Fichiers reçus")
        for f in v["files"]:
            echo(f"  {f['name']} ({f['size']} octets, sha256 {f['sha256'][:12]}…) → {f['path']}")
