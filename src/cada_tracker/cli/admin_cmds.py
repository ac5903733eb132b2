"""cada admin: the administrations requests are addressed to."""

from __future__ import annotations

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import (
    MAX_ID,
    PAGE_ONLY,
    ask,
    page_caption,
    page_option,
    raw_csv_option,
    session,
)
from cada_tracker.vocab import ADMIN_KINDS

KINDS = ", ".join(ADMIN_KINDS)
LIST_PAGE = 50
DESIGNATION_HELP = ("Nom de l'administration dans une phrase, avec son article "
                    "(ex. « la commune de Nice »), utilisé par les courriers ; déduit du "
                    "type et du nom sinon.")


def register(app: typer.Typer) -> None:
    admin = typer.Typer(
        help="L'annuaire des administrations destinataires.", no_args_is_help=True
    )
    admin.command("add")(add)
    admin.command("list")(list_)
    admin.command("show")(show)
    admin.command("edit")(edit)
    admin.command("remove")(remove)
    admin.command("merge")(merge)
    from cada_tracker.cli import directory_cmds
    directory_cmds.register(admin)
    app.add_typer(admin, name="admin")


def _fields(**kw):
    from cada_tracker.services.admins import AdminFields

    return AdminFields(**kw)


def _print_admin(admin_dict: dict) -> None:
    labels = [
        ("id", "N°"), ("name", "Nom"), ("kind", "Type"), ("addressee", "Destinataire"),
        ("street", "Adresse"), ("postcode", "Code postal"), ("city", "Ville"),
        ("email", "E-mail"), ("web_form", "Formulaire"), ("prada_name", "PRADA"), ("prada_email", "E-mail PRADA"),
        ("department", "Département"), ("designation", "Désignation"), ("tags", "Étiquettes"),
    ]
    for key, label in labels:
        value = admin_dict[key]
        if isinstance(value, list):
            value = " / ".join(value) if key == "street" else ", ".join(value)
        output.echo(f"{label:<14} {value if value not in (None, '') else '—'}")
    block = admin_dict.get("postal_block")
    if block:
        output.echo("Bloc adresse   (tel qu'imprimé dans la fenêtre de l'enveloppe)")
        for line in block["lines"]:
            output.echo(f"  {line}")
        for problem in block["problems"]:
            output.warn(f"adresse : {problem}")


def _with_block(admin, data: dict) -> dict:
    """``data`` plus the window block its letters print (``cada_tracker.postal``)."""
    from cada_tracker.services.letter_context import block_of

    block = block_of(admin)
    return {**data, "postal_block": {"lines": list(block.lines),
                                     "problems": list(block.problems)}}


def add(
    name: str = typer.Argument(None, help="Nom de l'administration (ex. « Mairie de Lyon »)."),
    kind: str = typer.Option(None, "--kind", help=f"Type : {KINDS}."),
    postcode: str = typer.Option(None, "--postcode", help="Code postal (5 chiffres)."),
    city: str = typer.Option(None, "--city", help="Ville (ligne postale, ex. « LYON CEDEX 02 »)."),
    addressee: str = typer.Option(None, "--addressee", help="Ligne destinataire, ex. « Monsieur le maire »."),
    street: list[str] = typer.Option(None, "--street", help="Ligne d'adresse (répétable)."),
    email: str = typer.Option(None, "--email", help="E-mail de l'administration."),
    prada_name: str = typer.Option(None, "--prada-name", help="Nom de la PRADA."),
    prada_email: str = typer.Option(None, "--prada-email", help="E-mail de la PRADA."),
    department: str = typer.Option(None, "--department", help="Code du département (calendrier des jours fériés) ; déduit du code postal sinon."),
    tag: list[str] = typer.Option(None, "--tag", help="Étiquette (répétable)."),
    designation: str = typer.Option(None, "--designation", help=DESIGNATION_HELP),
    json_out: bool = typer.Option(False, "--json", help="Afficher l'administration créée en JSON."),
) -> None:
    """Ajouter une administration à l'annuaire.

    \b
    Exemple :
      cada admin add "Mairie de Lyon" --kind commune --addressee "Monsieur le maire" \\
          --street "1 place de la Comédie" --postcode 69001 --city Lyon \\
          --prada-email prada@mairie-lyon.fr --tag rhone
    """
    from cada_tracker.services.admins import add_admin, admin_as_dict

    fields = _fields(
        name=ask(name, flag="NAME", label="Nom de l'administration"),
        kind=ask(kind, flag="--kind", label=f"Type ({KINDS})", default="autre"),
        postcode=ask(postcode, flag="--postcode", label="Code postal"),
        city=ask(city, flag="--city", label="Ville"),
        addressee=addressee, street=street or [], email=email, prada_name=prada_name,
        prada_email=prada_email, department=department, tags=tag or [],
        designation=designation,
    )
    with session(write=True) as s:
        admin = add_admin(s, fields=fields)
        data = _with_block(admin, admin_as_dict(admin, fields.tags or []))
    if json_out:
        output.print_json(data)
    output.success(f"Administration n° {data['id']} ajoutée : {data['name']}")
    for problem in data["postal_block"]["problems"]:
        output.warn(f"adresse de « {data['name']} » : {problem}")


def list_(
    tag: str = typer.Option(None, "--tag", help="Seulement cette étiquette."),
    kind: str = typer.Option(None, "--kind", help=f"Seulement ce type ({KINDS})."),
    department: str = typer.Option(None, "--department", help="Seulement ce département."),
    search: str = typer.Option(None, "--search", help="Mots cherchés dans le nom, la ville ou le code postal, dans n'importe quel ordre, sans tenir compte des accents ni des majuscules."),
    page_number: int = page_option(LIST_PAGE),
    all_rows: bool = typer.Option(False, "--all",
                                  help=f"Tout afficher (sinon les {LIST_PAGE} premières)."),
    csv_out: bool = typer.Option(False, "--csv", help="Sortie CSV (toutes les lignes)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON (toutes les lignes)."),
    raw_csv: bool = raw_csv_option(),
) -> None:
    """Lister les administrations de l'annuaire (une page et le total ; --page pour la
    suite, --all, --csv ou --json pour tout).

    \b
    Exemple :
      cada admin list --department 69 --kind commune
      cada admin list --search lyon --page 2
      cada admin list --tag rhone --csv > rhone.csv
    """
    from cada_tracker.services.admins import LIST_COLUMNS, count_admin_rows, list_admin_rows

    if page_number != 1 and (json_out or csv_out or all_rows):
        from cada_tracker.errors import InputError

        raise InputError(PAGE_ONLY)
    filters = {"tag": tag, "kind": kind, "department": department, "search": search}
    whole = json_out or csv_out or all_rows
    with session() as s:
        rows = list_admin_rows(s, **filters, limit=None if whole else LIST_PAGE,
                               offset=(page_number - 1) * LIST_PAGE)
        total = len(rows) if whole else count_admin_rows(s, **filters)
    if json_out:
        output.print_json([dict(zip(LIST_COLUMNS, r, strict=True)) for r in rows])
        return
    if csv_out:
        output.write_csv(LIST_COLUMNS, rows, raw=raw_csv)
        return
    if not total:
        output.info("Aucune administration (ajoutez-en avec cada admin add ou "
                    "cada admin import).")
        return
    caption = page_caption(total, len(rows), number=page_number, size=LIST_PAGE,
                           noun="administration(s)")
    output.table(None, ["N°", "Nom", "Type", "CP", "Ville", "Dép."],
                 ((i, n, ADMIN_KINDS.get(k, k), p, c, d) for i, n, k, p, c, d in rows),
                 caption=caption)


def show(
    admin_id: int = typer.Argument(..., metavar="ID", min=1, max=MAX_ID, help="Numéro de l'administration."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Afficher une administration.

    \b
    Exemple :
      cada admin show 3
    """
    from cada_tracker.services.admins import admin_as_dict, admin_tags, get_admin

    with session() as s:
        admin = get_admin(s, admin_id)
        data = _with_block(admin, admin_as_dict(admin, admin_tags(s, admin_id)))
        data["cada_opinions"] = _opinions(s, admin)
    if json_out:
        output.print_json(data)
    else:
        _print_admin(data)
        _print_opinions(data["cada_opinions"])


def _opinions(s, admin) -> dict | None:
    """The CADA's opinions on ``admin`` (cada avis import), None without the index."""
    from cada_tracker.services.avis import admin_opinion_counts

    found = admin_opinion_counts(s, admin)
    if found is None:
        return None
    return dict(zip(("count", "favorable", "no_answer"), found, strict=True))


def _print_opinions(opinions: dict | None) -> None:
    if opinions is None:
        return
    output.echo(f"{'Avis CADA':<14} {opinions['count']} avis, dont {opinions['favorable']} "
                f"favorable(s) ; « En l'absence de réponse » : {opinions['no_answer']} fois")


def edit(
    admin_id: int = typer.Argument(..., metavar="ID", min=1, max=MAX_ID, help="Numéro de l'administration."),
    name: str = typer.Option(None, "--name", help="Nouveau nom."),
    kind: str = typer.Option(None, "--kind", help=f"Type : {KINDS}."),
    postcode: str = typer.Option(None, "--postcode", help="Code postal."),
    city: str = typer.Option(None, "--city", help="Ville."),
    addressee: str = typer.Option(None, "--addressee", help="Ligne destinataire (vide pour effacer)."),
    street: list[str] = typer.Option(None, "--street", help="Lignes d'adresse (remplacent les anciennes)."),
    email: str = typer.Option(None, "--email", help="E-mail (vide pour effacer)."),
    prada_name: str = typer.Option(None, "--prada-name", help="Nom de la PRADA."),
    prada_email: str = typer.Option(None, "--prada-email", help="E-mail de la PRADA."),
    department: str = typer.Option(None, "--department", help="Code du département."),
    tag: list[str] = typer.Option(None, "--tag", help="Étiquettes (remplacent les anciennes)."),
    designation: str = typer.Option(None, "--designation", help=DESIGNATION_HELP + " Vide : revenir à celle déduite du type et du nom."),
    json_out: bool = typer.Option(False, "--json", help="Afficher le résultat en JSON."),
) -> None:
    """Modifier une administration (seuls les champs donnés changent).

    \b
    Exemple :
      cada admin edit 3 --prada-email prada@ville.fr --tag rhone --tag vsa
      cada admin edit 4 --designation "le syndicat mixte des transports du Rhône"
    """
    from cada_tracker.services.admins import admin_as_dict, admin_tags, edit_admin

    fields = _fields(
        name=name, kind=kind, postcode=postcode, city=city, addressee=addressee,
        street=street or None, email=email, prada_name=prada_name, prada_email=prada_email,
        department=department, tags=tag or None, designation=designation,
    )
    with session(write=True) as s:
        admin = edit_admin(s, admin_id=admin_id, fields=fields)
        data = admin_as_dict(admin, admin_tags(s, admin_id))
    if json_out:
        output.print_json(data)
    output.success(f"Administration n° {admin_id} modifiée.")


def remove(
    admin_id: int = typer.Argument(..., metavar="ID", min=1, max=MAX_ID, help="Numéro de l'administration."),
) -> None:
    """Supprimer une administration (refusé tant que des demandes lui sont adressées).

    \b
    Exemple :
      cada admin remove 3
    """
    from cada_tracker.services.admins import remove_admin

    with session(write=True) as s:
        admin = remove_admin(s, admin_id=admin_id)
        name = admin.name
    output.success(f"Administration n° {admin_id} supprimée : {name}")


def merge(
    keep_id: int = typer.Argument(..., metavar="ID", min=1, max=MAX_ID, help="Numéro de l'administration gardée."),
    other_id: int = typer.Argument(..., metavar="AUTRE", min=1, max=MAX_ID, help="Numéro de l'administration fusionnée dans la première (elle disparaît)."),
    json_out: bool = typer.Option(False, "--json", help="Afficher l'administration gardée en JSON."),
) -> None:
    """Fusionner deux fiches d'un même organisme (deux annuaires, une saisie en double).

    Les demandes et étiquettes de AUTRE passent à ID ; chaque champ garde la valeur
    la plus complète des deux fiches ; les clés d'annuaire de AUTRE restent attachées
    à ID, si bien qu'un nouvel import de son annuaire ne la recrée pas. Refusé pour
    deux types connus différents. Tout ou rien, en une transaction.

    \b
    Exemple :
      cada admin merge 12 4807
    """
    from cada_tracker.services.admin_merge import merge_admins
    from cada_tracker.services.admins import admin_as_dict, admin_tags

    with session(write=True) as s:
        result = merge_admins(s, keep_id=keep_id, other_id=other_id)
        data = admin_as_dict(result.keep, admin_tags(s, keep_id))
    if json_out:
        output.print_json({**data, "merged_id": other_id, "requests_moved": result.requests})
    fields = ""
    if result.fields:
        from cada_tracker.services.directory_import import FIELD_LABELS

        fields = " ; champs complétés : " + ", ".join(FIELD_LABELS[f] for f in result.fields)
    output.success(
        f"« {result.other_name} » (n° {other_id}) fusionnée dans « {data['name']} » "
        f"(n° {keep_id}) : {result.requests} demande(s) et {result.tags} étiquette(s) "
        f"reprises{fields}. Le n° {other_id} n'existe plus.")
