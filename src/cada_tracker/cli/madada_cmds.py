"""cada madada import: requests made on Ma Dada (or any Alaveteli site), escalated here."""

from __future__ import annotations

from pathlib import Path

import typer

from cada_tracker.cli import output

ACTIONS = {"created": "créée", "updated": "mise à jour", "unchanged": "inchangée"}
ADMIN_ACTIONS = {"key": "identifiant Ma Dada", "name": "même nom", "created": "créée"}


def register(app: typer.Typer) -> None:
    madada = typer.Typer(help="Les demandes faites sur Ma Dada (madada.fr) ou un autre site "
                              "Alaveteli.", no_args_is_help=True, rich_markup_mode=None)
    madada.command("import")(import_)
    app.add_typer(madada, name="madada")


def import_(
    files: list[Path] = typer.Argument(..., metavar="FICHIER.json...", help="JSON d'une demande Ma Dada (https://madada.fr/request/<titre>.json), un par demande."),
    zips: list[Path] = typer.Option(None, "--zip", metavar="FICHIER.zip", help="ZIP de la demande (« Télécharger un fichier ZIP de toute la correspondance ») : la correspondance et les pièces jointes (répétable)."),
    site: str = typer.Option(None, "--site", metavar="URL", help="Site Alaveteli des demandes (défaut : https://madada.fr)."),
    profile: str = typer.Option(None, "--profile", help="Profil d'expéditeur qui signera les courriers (défaut : le profil par défaut)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Montrer ce qui serait importé, sans rien écrire."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON : created, updated, requests, notes."),
) -> None:
    """Importer des demandes faites sur Ma Dada, pour les suivre et les porter devant la CADA.

    Chaque demande est créée, ou mise à jour si elle a déjà été importée (la clé est
    son adresse sur le site) : seuls les événements nouveaux sont ajoutés. Les états
    de Ma Dada deviennent des événements de cada (envoi, réponse complète ou
    partielle, refus à vérifier, retrait) datés par les événements de la demande ;
    ce qui n'a pas d'équivalent devient une note, listée à la fin. Les retards
    calculés par Ma Dada sont ignorés : cada calcule les délais du CRPA.

    L'administration est reconnue par son identifiant Ma Dada (annuaire importé avec
    cada admin import), sinon par son nom ; à défaut elle est créée.

    \b
    Exemple :
      cada madada import videoprotection.json --zip videoprotection.zip
      cada madada import demandes/*.json --dry-run
      cada refer 2026-0007 --on 2026-09-15 --via email
    """
    from cada_tracker.cli.common import locations, session, today
    from cada_tracker.madada.reader import DEFAULT_SITE, check_site, read_archive, read_request
    from cada_tracker.profiles import get_profile
    from cada_tracker.services.events import files_removed_on_failure
    from cada_tracker.services.madada import import_request

    site = check_site(site or DEFAULT_SITE)
    requests = [read_request(path) for path in files]
    archives = _pair(requests, [read_archive(path) for path in zips or []])
    loc = locations()
    sender = get_profile(loc.profiles_file, profile)
    outcomes = []
    seen: set[str] = set()
    with files_removed_on_failure(loc.data_dir) as written, session(write=not dry_run) as s:
        for req, archive in zip(requests, archives, strict=True):
            url = req.url(site)
            if url in seen:
                continue
            seen.add(url)
            outcomes.append(import_request(
                s, req=req, url=url, archive=archive, profile=sender, today=today(),
                files_dir=loc.files_dir, written=written, dry_run=dry_run))
    _report(outcomes, json_out=json_out, dry_run=dry_run)


def _pair(requests, archives) -> list:
    """Each request's ZIP: the one whose correspondence.txt names its URL, else the one
    named after it (``<url_title>.zip``), else the only ZIP of a single request."""
    from cada_tracker.errors import InputError

    paired = [None] * len(requests)
    for archive in archives:
        title = archive.url.rsplit("/request/", 1)[1] if archive.url else archive.path.stem
        index = next((i for i, r in enumerate(requests) if r.url_title == title), None)
        if index is None and len(requests) == 1 and archive.url is None:
            index = 0
        if index is None:
            raise InputError(
                f"--zip : « {archive.path} » est le ZIP de la demande "
                f"« {archive.url or archive.path.stem} », qui n'est pas parmi les JSON donnés.")
        if paired[index] is not None:
            raise InputError(f"--zip : deux ZIP pour la demande « {requests[index].url_title} ».")
        paired[index] = archive
    return paired


def _report(outcomes, *, json_out: bool, dry_run: bool) -> None:
    created = sum(o.action == "created" for o in outcomes)
    updated = sum(o.action == "updated" for o in outcomes)
    if json_out:
        output.print_json({
            "created": created,
            "updated": updated,
            "dry_run": dry_run,
            "requests": [{"reference": o.reference, "url": o.url, "status": o.status,
                          "action": o.action, "administration": o.administration,
                          "administration_match": o.administration_action,
                          "events_added": o.events_added, "files_added": o.files_added}
                         for o in outcomes],
            "notes": [{"reference": o.reference, "url": o.url, **n}
                      for o in outcomes for n in o.notes],
        })
    else:
        _print_outcomes(outcomes, dry_run=dry_run)
    if dry_run:
        output.info(f"Simulation (--dry-run) : {created} demande(s) à créer, {updated} à mettre "
                    "à jour. Rien n'a été écrit.")
    else:
        output.success(f"Ma Dada : {created} demande(s) créée(s), {updated} mise(s) à jour, "
                       f"{len(outcomes) - created - updated} inchangée(s).")


def _print_outcomes(outcomes, *, dry_run: bool) -> None:
    from datetime import date

    from cada_tracker.dates import format_fr

    would = "serait " if dry_run else ""
    for o in outcomes:
        ref = o.reference or "(nouvelle)"
        output.echo(
            f"{ref}  {o.url} — {would}{ACTIONS[o.action]} ; {o.events_added} événement(s), "
            f"{o.files_added} fichier(s) ; administration : {o.administration} "
            f"({ADMIN_ACTIONS[o.administration_action]})")
        for n in o.notes:
            output.echo(f"    note du {format_fr(date.fromisoformat(n['on']))} : {n['text']}")
