"""cada init (sender profiles) and cada db (where the data lives)."""

from __future__ import annotations

from pathlib import Path

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import ask, ask_list, locations


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    db = typer.Typer(help="La base de données : emplacement, sauvegarde, vérification.",
                     no_args_is_help=True)
    db.command("path")(db_path)
    db.command("backup")(db_backup)
    db.command("check")(db_check)
    from cada_tracker.cli.search_cmds import register_db

    register_db(db)
    app.add_typer(db, name="db")


def init(
    name: str = typer.Option(None, "--name", help="Nom de l'expéditeur (personne ou association)."),
    address: str = typer.Option(
        None, "--address", help='Adresse postale ; plusieurs lignes séparées par "\\n".'
    ),
    email: str = typer.Option(None, "--email", help="Adresse e-mail de l'expéditeur."),
    city: str = typer.Option(None, "--city", help="Ville écrite dans « Fait à … »."),
    profile: str = typer.Option("defaut", "--profile", help="Nom du profil (défaut : defaut)."),
    default: bool = typer.Option(False, "--default", help="En faire le profil par défaut."),
    json_out: bool = typer.Option(False, "--json", help="Afficher le profil en JSON."),
) -> None:
    """Créer ou remplacer un profil d'expéditeur (qui signe les courriers).

    \b
    Exemple :
      cada init --name "Marie Dupont" --address "3 rue des Lilas\\n69003 Lyon" \\
                --email marie@example.org --city Lyon
      cada init --profile asso --name "Technopolice Lyon" ... --default
    """
    from cada_tracker.profiles import Profile, check_email, normalise_address, save_profile

    from cada_tracker.errors import InputError

    if not profile.strip():  # before the questions, not after the last one
        raise InputError("--profile : le nom du profil ne peut pas être vide.")
    loc = locations()
    profile_obj = Profile(
        key=profile.strip(),
        name=ask(name, flag="--name", label="Nom de l'expéditeur").strip(),
        address=normalise_address(address) if address is not None and address.strip()
        else "\n".join(ask_list(None, flag="--address", label="Adresse postale")),
        email=ask(email, flag="--email", label="Adresse e-mail", check=check_email),
        city=ask(city, flag="--city", label="Ville (« Fait à … »)").strip(),
    )
    is_default = save_profile(loc.profiles_file, profile_obj, make_default=default)
    if json_out:
        output.print_json(
            {"profile": profile_obj.key, "name": profile_obj.name,
             "address": profile_obj.address_lines, "email": profile_obj.email,
             "city": profile_obj.city, "default": is_default}
        )
    suffix = " (profil par défaut)" if is_default else ""
    output.success(f"Profil « {profile_obj.key} » enregistré{suffix} dans {loc.profiles_file}")


def db_path(
    json_out: bool = typer.Option(False, "--json", help="Afficher en JSON."),
) -> None:
    """Afficher où cada garde la base, les fichiers reçus, les profils et les modèles.

    \b
    Exemple :
      cada db path
      CADA_HOME=/tmp/essai cada db path --json
    """
    from cada_tracker.paths import display_url

    loc = locations()
    data = {
        "database": display_url(loc.database_url),
        "database_file": str(loc.sqlite_path) if loc.sqlite_path else None,
        "data_dir": str(loc.data_dir),
        "files_dir": str(loc.files_dir),
        "config_dir": str(loc.config_dir),
        "profiles_file": str(loc.profiles_file),
        "config_file": str(loc.config_file),
        "user_letters_dir": str(loc.user_letters_dir),
    }
    if json_out:
        output.print_json(data)
        return
    labels = {
        "database": "Base de données",
        "database_file": "Fichier SQLite",
        "data_dir": "Dossier des données",
        "files_dir": "Documents reçus",
        "config_dir": "Configuration",
        "profiles_file": "Profils d'expéditeur",
        "config_file": "Réglages (courriel)",
        "user_letters_dir": "Modèles personnels",
    }
    for key, label in labels.items():
        if data[key]:
            output.echo(f"{label:<22} {data[key]}")


def db_backup(
    target: Path = typer.Argument(None, metavar="[FICHIER]",
                                  help="Fichier de sauvegarde (défaut : dossier sauvegardes/)."),
) -> None:
    """Sauvegarder la base : copie à chaud pour SQLite, commande pg_dump pour PostgreSQL.

    \b
    Exemple :
      cada db backup
      cada db backup ~/cada-avant-campagne.db
    """
    from datetime import datetime

    from cada_tracker.services.maintenance import backup

    from cada_tracker.dburl import has_password

    loc = locations()
    kind, detail = backup(loc, target, datetime.now())
    if kind == "command":
        output.info("Base PostgreSQL : lancez la commande suivante (pg_dump) :")
        output.echo(detail)
        if has_password(loc.database_url):
            output.info("Le mot de passe n'est pas dans la commande : pg_dump le lit dans la "
                        "variable PGPASSWORD (ou le fichier ~/.pgpass).")
    else:
        output.echo(detail)
        output.success("Sauvegarde écrite.")


def db_check(
    quick: bool = typer.Option(False, "--quick", help="Vérification rapide : structure de la base (PRAGMA quick_check sur SQLite), présence et taille des fichiers sans recalculer leur SHA-256, index de recherche sans contrôle complet."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> int:
    """Vérifier la base : intégrité, version du schéma, fichiers reçus (SHA-256), index de recherche.

    Code de sortie 0 si tout va bien, 1 si un problème est trouvé. --quick vérifie en
    quelques secondes même une très grande base ; la vérification complète reste à
    faire de temps en temps (elle relit tout).

    \b
    Exemple :
      cada db check --quick
      cada db check
    """
    from cada_tracker.cli.common import open_engine
    from cada_tracker.services.maintenance import check

    loc = locations()
    report = check(open_engine(), loc, quick=quick)
    if json_out:
        output.print_json({"ok": report.ok, "quick": quick, "revision": report.revision,
                           "files_checked": report.files_checked, "files_moved": report.moved,
                           "problems": report.problems})
    else:
        output.echo(f"Schéma            {report.revision}")
        output.echo(f"Fichiers vérifiés {report.files_checked}")
        if report.moved:
            output.echo(f"Fichiers déplacés dans la base partagée {report.moved}")
        for problem in report.problems:
            output.warn(problem)
        if report.ok:
            output.success("Base saine (vérification rapide)." if quick else "Base saine.")
    raise typer.Exit(0 if report.ok else 1)
