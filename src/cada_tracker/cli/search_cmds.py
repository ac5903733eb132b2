"""cada search (inside every request and stored file) and cada db reindex."""

from __future__ import annotations

import typer

from cada_tracker.cli import output
from cada_tracker.cli.common import MAX_ID, locations


def register(app: typer.Typer) -> None:
    app.command("search")(search)


def register_db(db: typer.Typer) -> None:
    db.command("reindex")(reindex)


def search(
    words: str = typer.Argument(..., metavar="TEXTE", help="Mots cherchés (tous requis ; accents indifférents)."),
    campaign: str = typer.Option(None, "--campaign", help="Seulement cette campagne."),
    admin: int = typer.Option(None, "--admin", metavar="ID", min=1, max=MAX_ID, help="Seulement cette administration."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Nombre maximal de résultats (défaut : 50)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Chercher dans tout ce que cada garde : objets, documents demandés, notes et
    événements, courriers, et le texte des fichiers reçus (PDF, DOCX, ODT, XLSX, ODS,
    HTML, TXT, CSV).

    Tous les mots doivent figurer ; majuscules et accents sont indifférents
    (« videoprotection » trouve « vidéoprotection »). Un document scanné n'a pas de
    texte tant qu'il n'est pas passé par la reconnaissance de caractères.

    \b
    Exemple :
      cada search briefcam
      cada search "marché maintenance" --campaign vsa-2026 --json
    """
    from cada_tracker.cli.common import reading
    from cada_tracker.dbfiles import shown_path
    from cada_tracker.services.search.query import marked
    from cada_tracker.services.search.query import search as run_search

    loc = locations()
    with reading() as conn:
        hits = run_search(conn, words, campaign=campaign, admin_id=admin, limit=limit)

    def where(hit) -> str:
        return f"fichier « {hit.label} »" if hit.file else hit.label

    if json_out:
        output.print_json([
            {"reference": h.reference, "where": where(h), "snippet": marked(h.snippet),
             "file": str(shown_path(loc.data_dir, h.file)) if h.file else None} for h in hits])
        return
    if not hits:
        output.info("Aucun résultat.")
        return
    from rich.text import Text

    from cada_tracker.escape import one_line, terminal

    console = output.out()
    for hit in hits:
        # What administrations and users wrote, and file names, are shown as text:
        # control and bidi characters as escapes (an index built by an earlier version
        # may hold them in a file's name).
        head = Text(one_line(hit.reference), style="bold")
        head.append(one_line(f"  {hit.administration} — {where(hit)}"))
        console.print(head, soft_wrap=True)
        console.print(output.excerpt(hit.snippet), soft_wrap=True)
        if hit.file:
            console.print(Text(terminal(f"    {shown_path(loc.data_dir, hit.file)}"),
                               style="dim"), soft_wrap=True)
    output.info(f"{len(hits)} résultat(s)." + (" (limite atteinte : --limit)"
                                                 if len(hits) == limit else ""))


def reindex(
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Reconstruire l'index de recherche : le texte de chaque demande et de chaque
    fichier reçu est relu (chaque fichier dans un processus limité en temps et en
    mémoire).

    \b
    Exemple :
      cada db reindex
    """
    from cada_tracker.cli.common import open_engine
    from cada_tracker.services.search.index import reindex as rebuild
    from cada_tracker.services.search.worker import STATUS_LABELS

    loc = locations()
    engine = open_engine().execution_options(cada_write=True)
    with engine.begin() as conn:
        report = rebuild(conn, loc.data_dir)
    if json_out:
        output.print_json({"requests": report["requests"], "files": report["files"],
                           "statuses": report["statuses"],
                           "problems": [{"file": f, "status": s} for f, s in report["problems"]]})
        return
    for name, status in report["problems"]:
        output.warn(f"{name} : {STATUS_LABELS[status]}")
    detail = ", ".join(f"{STATUS_LABELS.get(k, k)} : {v}" for k, v in
                       sorted(report["statuses"].items()))
    output.success(f"Index reconstruit : {report['requests']} demande(s), "
                   f"{report['files']} fichier(s)" + (f" ({detail})" if detail else "") + ".")
