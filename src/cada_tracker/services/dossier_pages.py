"""The pages cada writes into a dossier: bordereau, event summaries, e-mails, images,
text files and the notice of a file given separately. HTML through a sandboxed
Jinja2 environment with autoescape: what administrations wrote stays text."""

from __future__ import annotations

import base64
from functools import lru_cache

PAGE_STYLE = """
<style>
  body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }
  h1 { font-size: 14pt; margin: 0 0 4mm 0; }
  h2 { font-size: 11pt; margin: 6mm 0 2mm 0; }
  table.bordereau { width: 100%; border-collapse: collapse; margin-top: 4mm; }
  table.bordereau th, table.bordereau td { border: 0.3mm solid #444; padding: 1.5mm 2mm;
    text-align: left; vertical-align: top; }
  dl dt { font-weight: bold; margin-top: 2mm; }
  pre { white-space: pre-wrap; font-size: 8.5pt; font-family: "DejaVu Sans Mono", monospace; }
  img.scan { max-width: 100%; max-height: 240mm; }
</style>
"""

TEMPLATES = {
    "bordereau": """<html><head><meta charset="utf-8">{{ style }}</head><body>
<h1>Bordereau des pièces</h1>
<p>Demande {{ reference }} adressée à {{ administration }} — objet : {{ subject }}.<br>
Dossier établi le {{ today }}{% if purpose == "court" %} pour le tribunal administratif
{%- else %} pour la Commission d'accès aux documents administratifs{% endif %}.</p>
<table class="bordereau"><tr><th>N°</th><th>Pièce</th><th>Pages</th></tr>
{% for p in pieces %}<tr><td>{{ p.number }}</td><td>{{ p.title }}</td><td>{{ p.pages }}</td></tr>
{% endfor %}</table>
{% if opinions %}<h2>Avis antérieurs de la Commission</h2>
<p>La Commission s’est déjà prononcée en faveur de la communication de documents
comparables :</p><ul>{% for a in opinions %}<li>avis n° {{ a.number }}{% if a.date %}
du {{ a.date }}{% endif %} ({{ a.administration }}) : {{ a.subject }}</li>{% endfor %}</ul>
{% endif %}</body></html>""",
    "summary": """<html><head><meta charset="utf-8">{{ style }}</head><body>
<h1>{{ title }}</h1><dl>{% for label, value in facts %}<dt>{{ label }}</dt><dd>{{ value }}</dd>
{% endfor %}</dl>{% if note %}<p>{{ note }}</p>{% endif %}</body></html>""",
    "mail": """<html><head><meta charset="utf-8">{{ style }}</head><body>
<h1>Courrier électronique</h1><dl>{% for label, value in headers %}<dt>{{ label }}</dt>
<dd>{{ value }}</dd>{% endfor %}</dl><pre>{{ body }}</pre></body></html>""",
    "text": """<html><head><meta charset="utf-8">{{ style }}</head><body>
<h1>{{ name }}</h1><pre>{{ body }}</pre></body></html>""",
    "image": """<html><head><meta charset="utf-8">{{ style }}</head><body>
<p>{{ name }}</p><img class="scan" src="{{ src }}"></body></html>""",
    "separate": """<html><head><meta charset="utf-8">{{ style }}</head><body>
<h1>{{ name }}</h1><p>{{ reason }}</p><p>Fichier fourni séparément : {{ copy }}<br>
SHA-256 : {{ sha256 }}<br>Taille : {{ size }} octets</p></body></html>""",
    "stamps": """<html><head><meta charset="utf-8"><style>
  @page { size: 62mm 9mm !important; margin: 0 !important;
          @bottom-right { content: none !important; } }
  @page :first { @bottom-right { content: none !important; } }
  div { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; font-weight: bold;
        text-align: right; padding: 1.5mm 2mm 0 0; page-break-after: always; }
</style></head><body>{% for n in numbers %}<div>Pièce n° {{ n }}</div>{% endfor %}
</body></html>""",
}


@lru_cache(maxsize=1)
def _env():
    from jinja2 import DictLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(loader=DictLoader(TEMPLATES), autoescape=True,
                                undefined=StrictUndefined)


def page(template: str, **context) -> str:
    from markupsafe import Markup

    return _env().get_template(template).render(style=Markup(PAGE_STYLE), **context)


def image_page(name: str, data: bytes, mime: str) -> str:
    src = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return page("image", name=name, src=src)


def mail_page(data: bytes) -> str:
    """An ``.eml`` as a page: its headers and its text (the HTML part as text)."""
    from email import policy
    from email.parser import BytesParser

    from cada_tracker.services.search.extract import clean, html_text

    message = BytesParser(policy=policy.default).parsebytes(data)
    headers = [(label, str(message.get(key, ""))) for key, label in
               (("From", "De"), ("To", "À"), ("Cc", "Copie"), ("Date", "Date"),
                ("Subject", "Objet"))
               if message.get(key)]
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = body.get_content()
        text = html_text(content) if body.get_content_subtype() == "html" else content
    names = [part.get_filename() for part in message.iter_attachments() if part.get_filename()]
    if names:
        headers.append(("Pièces jointes", ", ".join(names)))
    return page("mail", headers=headers, body=clean(text)[:200_000])
