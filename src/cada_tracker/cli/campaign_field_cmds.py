"""cada campaign field add/list, cada campaign set: what the documents obtained say."""

from __future__ import annotations

import typer

from cada_tracker.cli import output


def register(campaign: typer.Typer) -> None:
    field = typer.Typer(help="Les champs d'une campagne : ce que disent les documents obtenus.",
                        no_args_is_help=True)
    field.command("add")(field_add)
    field.command("list")(field_list)
    campaign.add_typer(field, name="field")
    campaign.command("set")(set_)


def field_add(
    campaign: str = typer.Argument(..., metavar="NOM", help="Nom de la campagne."),
    name: str = typer.Argument(..., metavar="CHAMP", help="Nom du champ (ex. nombre_cameras)."),
    kind: str = typer.Option(..., "--type", help="Type : text, int, bool ou choice."),
    choices: list[str] = typer.Option(None, "--choices", help='Choix possibles, séparés par des virgules (pour --type choice).'),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Ajouter un champ à une campagne (nombre de caméras, fournisseur, VSA oui/non…).

    \b
    Exemple :
      cada campaign field add vsa-2026 nombre_cameras --type int
      cada campaign field add vsa-2026 fournisseur --type choice --choices "Briefcam,Idemia,autre"
      cada campaign field add vsa-2026 vsa --type bool
    """
    from cada_tracker.cli.common import session
    from cada_tracker.services.campaign_fields import KINDS, add_field

    with session(write=True) as s:
        field = add_field(s, campaign=campaign, name=name, kind=kind.strip().lower(),
                          choices=choices)
    if json_out:
        output.print_json({"campaign": field.campaign, "name": field.name, "type": field.kind})
        return
    output.success(f"Champ « {field.name} » ({KINDS[field.kind]}) ajouté à la campagne "
                   f"« {field.campaign} ». Pour le remplir : cada campaign set REF "
                   f"{field.name} VALEUR")


def field_list(
    campaign: str = typer.Argument(..., metavar="NOM", help="Nom de la campagne."),
) -> None:
    """Lister les champs d'une campagne.

    \b
    Exemple :
      cada campaign field list vsa-2026
    """
    from cada_tracker.cli.common import session
    from cada_tracker.services.campaign_fields import KINDS, fields_of, spec_of

    with session() as s:
        specs = [spec_of(f) for f in fields_of(s, campaign)]
    if not specs:
        output.info(f"La campagne « {campaign} » n'a aucun champ (cada campaign field add).")
        return
    output.plain_table(None, ["Champ", "Type", "Choix"],
                       ((sp.name, KINDS[sp.kind], ", ".join(sp.choices)) for sp in specs))


def set_(
    reference: str = typer.Argument(..., metavar="REF", help="Référence de la demande."),
    name: str = typer.Argument(..., metavar="CHAMP", help="Nom du champ de sa campagne."),
    value: str = typer.Argument(..., metavar="VALEUR", help="Valeur (nombre, oui/non, un choix, un texte)."),
) -> None:
    """Enregistrer ce que disent les documents d'une demande, dans un champ de sa campagne.

    \b
    Exemple :
      cada campaign set 2026-0042 nombre_cameras 148
      cada campaign set 2026-0042 fournisseur Briefcam
      cada campaign set 2026-0042 vsa oui
    """
    from cada_tracker.cli.common import session
    from cada_tracker.services.campaign_fields import set_value

    with session(write=True) as s:
        request, stored = set_value(s, reference=reference.strip(), name=name, raw=value)
    output.success(f"{request.reference} : {name.strip()} = {stored}")
