"""cada admin import, cada admin export: the directory of administrations as a file."""

from __future__ import annotations

from pathlib import Path

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import raw_csv_option
from cada_tracker.vocab import ADMIN_KINDS
from cada_tracker.faults import reason

SHOWN = 20  # rows of changes, errors and warnings listed before "…"
ACTIONS = {"create": "création", "update": "mise à jour", "merge": "fusion"}


def register(admin: typer.Typer) -> None:
    """Add the commands to the ``cada admin`` group built by admin_cmds.register."""
    admin.command("import")(import_)
    admin.command("export")(export)


def import_(
    file: Path = typer.Argument(..., metavar="FICHIER", help="Fichier CSV : annuaire des PRADA de la CADA, export Alaveteli (Ma Dada) ou export de cada."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Montrer ce qui changerait, sans rien écrire."),
    strict: bool = typer.Option(False, "--strict", help="Ne rien importer si une ligne est invalide (code de sortie 2)."),
    tag: list[str] = typer.Option(None, "--tag", help="Étiquette ajoutée à chaque administration importée (répétable)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON : created, updated, merged, unchanged, errors, warnings, duplicates."),
) -> None:
    """Importer un annuaire d'administrations (mise à jour si déjà importé).

    Le format est reconnu à la ligne d'en-tête : annuaire des PRADA publié par la CADA,
    export des autorités d'Alaveteli (Ma Dada), ou fichier écrit par cada admin export.
    Chaque administration garde la clé de sa source : réimporter le même fichier, ou
    une version plus récente, met à jour les fiches au lieu de les dupliquer. Une
    cellule vide n'efface jamais une valeur connue ; les étiquettes sont seulement
    ajoutées. Une administration déjà importée d'un autre annuaire (même nom,
    articles et accents mis à part, et même code postal) n'est pas dupliquée : les
    deux fiches sont fusionnées, en gardant la valeur la plus complète de chaque
    champ (--dry-run les montre).

    Une ligne invalide est signalée avec son numéro et sa colonne. Sans --strict, les
    lignes valides sont importées, les autres ignorées avec un avertissement (code de
    sortie 0) ; avec --strict, rien n'est importé dès qu'une ligne est invalide (code
    de sortie 2). Un fichier illisible (introuvable, vide, format inconnu, guillemet
    non fermé…) donne toujours le code 2.

    Le fichier est lu deux fois, ligne à ligne : une vérification complète, puis
    l'écriture par lots de 5 000 administrations, chaque lot validé à part. Un import
    interrompu garde les lots écrits et le dit ; relancer la même commande le termine
    sans rien dupliquer.

    \b
    Exemple :
      cada admin import annuaire_des_prada.csv --dry-run
      cada admin import annuaire_des_prada.csv --tag prada
      cada admin import autorites-madada.csv --strict --json
    """
    from cada_tracker.cli.common import session
    from cada_tracker.directory import DirectoryError
    from cada_tracker.directory.reader import open_directory
    from cada_tracker.errors import InputError
    from cada_tracker.services import directory_batches
    from cada_tracker.services.directory_import import normalise_tags
    from cada_tracker.textlimits import check_tags

    check_tags(normalise_tags(tag or []))
    try:
        stream = open_directory(file)
        checked = directory_batches.check(stream)  # no write before the whole file is read
    except DirectoryError as exc:
        raise InputError(exc.message) from None
    result = stream.result
    plan = None
    if not (strict and result.errors):
        try:
            plan = directory_batches.write(session, stream, total=checked.records,
                                           extra_tags=tag or [], dry_run=dry_run,
                                           only_batch=checked.only_batch)
        except DirectoryError as exc:  # the file changed between the two passes
            raise InputError(exc.message) from None
    address_warnings = checked.address_warnings
    source = str(file)
    if json_out:
        output.print_json(_report(result, plan, address_warnings, dry_run=dry_run))
    else:
        _print_report(result, plan, source, address_warnings, dry_run=dry_run,
                      missing=checked.without_address)
    if plan is None:
        first = result.errors[0]
        raise InputError(
            f"« {source} » : {len(result.errors)} ligne(s) invalide(s), rien n'a été importé "
            f"(--strict). Ligne {first.line}{_field(first.field)} : {first.message}.",
            hint="Corrigez le fichier, ou relancez sans --strict pour importer les "
                 "lignes valides.",
        )
    if result.errors:
        output.warn(
            f"{len(result.errors)} ligne(s) invalide(s) de « {source} » ignorée(s) ; "
            f"les autres {'seraient' if dry_run else 'sont'} importées."
        )
    if dry_run:
        output.info(
            f"Simulation (--dry-run) : {plan.created} à créer, {plan.updated} à mettre à "
            f"jour, {plan.merged} à fusionner avec un autre annuaire, {plan.unchanged} "
            "inchangée(s). Rien n'a été écrit."
        )
    else:
        output.success(
            f"« {source} » ({result.format_label}) : {plan.created} administration(s) "
            f"créée(s), {plan.updated} mise(s) à jour, {plan.merged} fusionnée(s) avec la "
            f"fiche d'un autre annuaire, {plan.unchanged} inchangée(s)."
        )


def _field(name: str) -> str:
    return f", colonne « {name} »" if name else ""


def _report(result, plan, address_warnings, *, dry_run: bool) -> dict:
    def rows(items):
        return [{"line": e.line, "field": e.field, "message": e.message} for e in items]

    data = {
        "created": plan.created if plan else 0,
        "updated": plan.updated if plan else 0,
        "merged": plan.merged if plan else 0,
        "unchanged": plan.unchanged if plan else 0,
        "errors": rows(result.errors),
        "warnings": rows(result.warnings),
        "address_warnings": rows(address_warnings),
        "duplicates": [{"line": line, "first_line": first, "key": key}
                       for line, first, key in result.duplicates],
        "format": result.format,
        "dry_run": dry_run,
        "imported": plan is not None and not dry_run,
    }
    if dry_run and plan is not None:
        data["changes"] = [c.as_dict() for c in plan.changed()]
    return data


def _print_report(result, plan, source: str, address_warnings, *, dry_run: bool,
                  missing: int) -> None:
    output.info(
        f"« {source} » : {result.format_label}, {result.rows_read} ligne(s) lue(s), "
        f"encodage {result.encoding}."
    )
    for title, items in (("Ligne(s) invalide(s)", result.errors),
                         ("Valeur(s) corrigée(s) ou ignorée(s)", result.warnings),
                         ("Adresse(s) raccourcie(s) pour la fenêtre de l'enveloppe "
                          "(6 lignes de 38 caractères)", address_warnings)):
        if not items:
            continue
        output.info(f"{title} : {len(items)}")
        for e in items[:SHOWN]:
            output.info(f"  ligne {e.line}{_field(e.field)} : {e.message}")
        if len(items) > SHOWN:
            output.info(f"  … et {len(items) - SHOWN} autre(s) (--json pour la liste complète)")
    if result.duplicates:
        output.info(f"Doublon(s) ignoré(s) : {len(result.duplicates)}")
        for line, first, key in result.duplicates[:SHOWN]:
            output.info(f"  ligne {line} : même clé que la ligne {first} ({key})")
    if plan is None:
        return
    if missing:
        output.warn(f"{missing} administration(s) sans adresse postale dans le fichier "
                    "(envoi papier impossible sans la compléter).")
    merges = [c for c in plan.changes if c.action == "merge"]
    if dry_run and merges:
        output.info(f"Fusion(s) avec la fiche d'un autre annuaire (même nom et code "
                    f"postal) : {len(merges)}")
        for c in merges[:SHOWN]:
            output.info(f"  ligne {c.line} : « {c.name} » → n° {c.admin_id} « {c.into} »")
        if len(merges) > SHOWN:
            output.info(f"  … et {len(merges) - SHOWN} autre(s) (--json pour la liste "
                        "complète)")
    changed = plan.changed()
    if dry_run and changed:
        shown = changed[:SHOWN]
        caption = None if len(shown) == len(changed) else (
            f"{len(shown)} sur {len(changed)} (--json pour la liste complète)")
        output.table(
            "Changements prévus", ["Ligne", "Action", "N°", "Nom", "Champs"],
            ((c.line, ACTIONS[c.action], c.admin_id, c.name, _describe(c)) for c in shown),
            caption=caption,
        )


def _describe(change) -> str:
    if change.action == "merge":
        text = f"même organisme que « {change.into} »"
        if change.fields:
            text += " ; " + _fields_text(change)
    elif change.action == "create":
        parts = [change.fields.get(k, (None, None))[1] for k in ("postcode", "city")]
        text = " ".join(p for p in parts if p) or "sans adresse"
    else:
        text = _fields_text(change)
    if change.tags_added:
        text += ("" if not text else " ; ") + "étiquettes + " + ", ".join(change.tags_added)
    return text


def _fields_text(change) -> str:
    from cada_tracker.services.directory_import import FIELD_LABELS

    return " ; ".join(f"{FIELD_LABELS[k]} : {_short(old)} → {_short(new)}"
                      for k, (old, new) in change.fields.items())


def _short(value) -> str:
    if value in (None, ""):
        return "—"
    text = " / ".join(str(value).splitlines())
    return text if len(text) <= 60 else text[:59] + "…"


def export(
    out: Path = typer.Option(None, "--out", help="Fichier CSV à écrire (défaut : la sortie standard)."),
    tag: str = typer.Option(None, "--tag", help="Seulement cette étiquette."),
    kind: str = typer.Option(None, "--kind", help=f"Seulement ce type ({', '.join(ADMIN_KINDS)})."),
    department: str = typer.Option(None, "--department", help="Seulement ce département."),
    force: bool = typer.Option(False, "--force", help="Remplacer le fichier --out s'il existe."),
    raw_csv: bool = raw_csv_option(),
) -> None:
    """Exporter l'annuaire au format CSV de cada, que cada admin import relit à l'identique.

    Une colonne par champ (key, name, kind, addressee, street, postcode, city, email,
    prada_name, prada_email, department, tags) ; les lignes d'adresse sont séparées
    par « | », les étiquettes par des virgules. La colonne key garde la clé de la
    source : importer ce fichier dans une autre base, puis le réimporter, met à jour
    au lieu de dupliquer.

    \b
    Exemple :
      cada admin export --out annuaire.csv --force
      cada admin export --tag vsa --department 69 > rhone-vsa.csv
    """
    import io
    import sys

    from cada_tracker.cli.common import session
    from cada_tracker.services.directory_import import ExportFilter, export_records, write_export

    from cada_tracker.fileio import refuse_existing

    if out is not None:
        refuse_existing(out, force=force)
    buffer = io.StringIO(newline="")
    with session() as s:
        count = write_export(
            export_records(s, ExportFilter(tag=tag, kind=kind, department=department)), buffer,
            raw=raw_csv, on_terminal=out is None and sys.stdout.isatty())
    if out is None:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
        return
    from cada_tracker.fileio import atomic_write_text

    try:
        atomic_write_text(out, buffer.getvalue(), mode=0o644)
    except OSError as exc:
        from cada_tracker.errors import InputError

        raise InputError(f"--out : écriture impossible de {out} ({reason(exc)}).") from None
    output.success(f"{count} administration(s) exportée(s) dans {out}")
