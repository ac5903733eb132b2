"""cada mail: send requests by e-mail (setup, draft, send); the replies come back
through mail_in_cmds (import, fetch, inbox, assign)."""

from __future__ import annotations

from pathlib import Path

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import locations, session, today
from cada_tracker.cli.mail_common import JSON, mail_config, mail_secret
from cada_tracker.cli.mail_in_cmds import assign, fetch, import_, inbox

HELP = """Envoyer les demandes par courriel et ramener les réponses dans le dossier.

\b
Exemple :
  cada mail setup --smtp-host smtp.exemple.org --smtp-port 587 --security starttls \\
                  --from lyon@technopolice.example --smtp-user lyon@technopolice.example
  cada mail draft 2026-0007 --out courriels
  cada mail send --campaign vsa-2026 --pace 30
  cada mail fetch --since 2026-03-01
"""


def register(app: typer.Typer) -> None:
    mail = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None)
    mail.command("setup")(setup)
    mail.command("draft")(draft)
    mail.command("send")(send)
    mail.command("import")(import_)
    mail.command("fetch")(fetch)
    mail.command("inbox")(inbox)
    mail.command("assign")(assign)
    app.add_typer(mail, name="mail")


def _now():
    """Now, on the day ``today()`` says: a pinned CADA_TODAY dates the message as the
    sent event it records."""
    from datetime import datetime

    now = datetime.now().astimezone()
    return datetime.combine(today(), now.timetz())


def _pdf_renderer():
    """A function rendering a letter to PDF bytes; WeasyPrint loads on first use."""
    state: dict = {}

    def render(html: str) -> bytes:
        if "r" not in state:
            from cada_tracker.pdf import Renderer

            state["r"] = Renderer(user_dir=locations().user_letters_dir)
        return state["r"].pdf(html)

    return render


def setup(
    smtp_host: str = typer.Option(None, "--smtp-host", metavar="H", help="Serveur SMTP."),
    smtp_port: int = typer.Option(None, "--smtp-port", metavar="P", help="Port SMTP (587, 465…)."),
    security: str = typer.Option(None, "--security", help="starttls, tls ou none."),
    sender: str = typer.Option(None, "--from", metavar="ADRESSE", help="Adresse d'expédition."),
    smtp_user: str = typer.Option(None, "--smtp-user", metavar="U", help="Identifiant SMTP."),
    imap_host: str = typer.Option(None, "--imap-host", metavar="H", help="Serveur IMAP (pour cada mail fetch)."),
    imap_port: int = typer.Option(None, "--imap-port", metavar="P", help="Port IMAP (993, 143…)."),
    imap_user: str = typer.Option(None, "--imap-user", metavar="U", help="Identifiant IMAP (défaut : celui du SMTP)."),
    imap_security: str = typer.Option(None, "--imap-security", help="starttls, tls ou none (défaut : tls sur 993, sinon starttls)."),
    folder: str = typer.Option("INBOX", "--imap-folder", help="Dossier IMAP où arrivent les réponses."),
    sent_folder: str = typer.Option("Sent", "--sent-folder", help="Dossier IMAP des messages envoyés."),
    password_command: str = typer.Option(None, "--password-command", metavar="CMD", help="Commande qui écrit le mot de passe (ex. « pass show courriel »)."),
    check_: bool = typer.Option(False, "--check", help="Se connecter et dire ce qui fonctionne."),
    json_out: bool = JSON,
) -> None:
    """Régler l'envoi (SMTP) et la relève (IMAP) du courriel. Le mot de passe n'est
    jamais enregistré : il vient de CADA_MAIL_PASSWORD, de --password-command ou du
    trousseau du système.

    \b
    Exemple :
      cada mail setup --smtp-host smtp.exemple.org --smtp-port 587 --security starttls \\
                      --from lyon@technopolice.example --smtp-user lyon@technopolice.example \\
                      --imap-host imap.exemple.org --imap-port 993 --check
      cada mail setup --check
    """
    from cada_tracker.errors import InputError
    from cada_tracker.mail import config as cfg

    loc = locations()
    if smtp_host is None:
        if not check_ or any(v is not None for v in (smtp_port, security, sender, smtp_user,
                                                      imap_host, imap_port, password_command)):
            raise InputError("Option --smtp-host manquante (serveur SMTP).",
                             hint="cada mail setup --help")
        config = cfg.load(loc.config_file)
    else:
        for flag, value in (("--smtp-port", smtp_port), ("--security", security),
                            ("--from", sender)):
            if value is None:
                raise InputError(f"Option {flag} manquante.", hint="cada mail setup --help")
        imap = None
        if imap_host is not None:
            if not (imap_user or smtp_user):
                raise InputError("Option --imap-user manquante (identifiant IMAP, par défaut "
                                 "celui de --smtp-user).")
            port = cfg.check_port(imap_port or 993, field="--imap-port")
            imap = cfg.Server(
                host=cfg.check_host(imap_host, field="--imap-host"), port=port,
                security=cfg.check_security(imap_security or ("tls" if port == 993
                                                              else "starttls"),
                                            field="--imap-security"),
                user=imap_user or smtp_user)
        elif imap_port is not None or imap_user is not None:
            raise InputError("--imap-port et --imap-user demandent --imap-host.")
        config = cfg.MailConfig(
            sender=cfg.check_address(sender, field="--from"),
            smtp=cfg.Server(host=cfg.check_host(smtp_host, field="--smtp-host"),
                            port=cfg.check_port(smtp_port, field="--smtp-port"),
                            security=cfg.check_security(security), user=smtp_user or None),
            imap=imap, folder=folder, sent_folder=sent_folder,
            password_command=password_command or None)
        cfg.save(loc.config_file, config)
        output.success(f"Réglages du courriel enregistrés dans {loc.config_file}")
        output.info(f"Mot de passe : {cfg.password_source(config)} (jamais enregistré).")
    results = []
    if check_:
        from cada_tracker.mail.transport import check

        results = check(config, mail_secret(config))
    if json_out:
        output.print_json({"config_file": str(loc.config_file), "mail": config.to_dict(),
                           "checks": [{"server": w, "ok": ok, "detail": d}
                                      for w, ok, d in results]})
    for what, ok, detail in results:
        (output.success if ok else output.warn)(f"{what} : {detail}")
    if results and not all(ok for _w, ok, _d in results):
        raise typer.Exit(5)


def draft(
    reference: str = typer.Argument(..., metavar="REF", help="Référence de la demande."),
    out: Path = typer.Option(Path("."), "--out", metavar="DOSSIER", help="Dossier où écrire le .eml (défaut : dossier courant)."),
    json_out: bool = JSON,
) -> None:
    """Écrire la demande en message .eml (texte, HTML et PDF joint), à ouvrir avec
    n'importe quel logiciel de courriel : cada n'a alors besoin d'aucun mot de passe.

    \b
    Exemple :
      cada mail draft 2026-0007 --out courriels
    """
    from cada_tracker.errors import CadaError
    from cada_tracker.fileio import atomic_write_bytes, prepare_out_dir
    from cada_tracker.services.mail_out import draft as make_draft

    try:
        sender = mail_config().sender
    except CadaError:
        sender = None  # not configured: the profile's address
    folder = prepare_out_dir(out)
    with session(write=True) as s:
        msg = make_draft(s, reference=reference, sender=sender, render_pdf=_pdf_renderer(),
                         now=_now())
        path = folder / f"{msg.reference}-courriel.eml"
        atomic_write_bytes(path, msg.raw)
    data = {"path": str(path), "message_id": msg.message_id, "to": msg.to,
            "subject": msg.subject}
    if json_out:
        output.print_json(data)
    output.success(f"Courriel écrit dans {path} (à {msg.to}, {msg.message_id}).")


def send(
    references: list[str] = typer.Argument(None, metavar="REF...", help="Références des demandes."),
    campaign: str = typer.Option(None, "--campaign", metavar="NOM", help="Toutes les demandes de la campagne."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Montrer ce qui partirait, sans rien envoyer."),
    pace: float = typer.Option(0.0, "--pace", min=0, max=3600, metavar="SECONDES", help="Pause entre deux envois."),
    json_out: bool = JSON,
) -> None:
    """Envoyer les demandes par SMTP et enregistrer leur envoi (canal courriel,
    Message-ID, empreinte du message conservé). Relancer une campagne reprend là
    où elle s'était arrêtée : ce qui est parti n'est pas renvoyé.

    \b
    Exemple :
      cada mail send 2026-0007
      cada mail send --campaign vsa-2026 --pace 30 --dry-run
    """
    from cada_tracker.services.mail_out import select_references, send as send_all

    config = mail_config()
    loc = locations()
    with session() as s:
        refs = select_references(s, references=list(references or []), campaign=campaign)
    secret = None if dry_run else mail_secret(config)

    def progress(entry):
        if not json_out:
            output.success(f"{entry['reference']} envoyée à {entry['to']} ({entry['message_id']}).")

    report = send_all(references=refs, config=config, secret=secret,
                      write_session=lambda: session(write=True), render_pdf=_pdf_renderer(),
                      today=today(), files_dir=loc.files_dir, dry_run=dry_run, pace=pace,
                      clock=_now, on_sent=progress)
    if json_out:
        output.print_json(report.to_dict())
    else:
        if dry_run:
            for entry in report.sent:
                output.info(f"{entry['reference']} partirait à {entry['to']}.")
        for entry in report.skipped:
            output.info(f"{entry['reference']} : {entry['reason']}.")
        for entry in report.failed:
            output.error(f"{entry['reference']} non envoyée : {entry['reason']}")
        for warning in report.warnings:
            output.warn(warning)
        verb = "partiraient" if dry_run else "envoyée(s)"
        output.info(f"{len(report.sent)} {verb}, {len(report.skipped)} ignorée(s), "
                    f"{len(report.failed)} en échec.")
    if report.failed:
        raise typer.Exit(5)
