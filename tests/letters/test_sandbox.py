"""A shared template is untrusted code: it reads no secret, changes nothing, exhausts nothing."""

from __future__ import annotations

import os
import time

import pytest

from cada_tracker import letters
from cada_tracker.errors import InputError

from .conftest import base_context

LETTER_HEAD = "{#- title: Piège ; kind: request ; description: test -#}\n"


def _render(tmp_path, body: str) -> str:
    (tmp_path / "piege.html.j2").write_text(LETTER_HEAD + body, encoding="utf-8")
    return letters.render("piege", base_context(), user_dir=tmp_path)


def _refused(tmp_path, body: str) -> str:
    with pytest.raises(InputError) as caught:
        _render(tmp_path, body)
    message = caught.value.message
    assert "piege" in message or "Piège" in message or "modèle" in message
    return message


def test_jinja_is_at_least_3_1_6():
    import jinja2

    major, minor, patch = (int(p) for p in jinja2.__version__.split(".")[:3])
    assert (major, minor, patch) >= (3, 1, 6)  # CVE-2025-27516


@pytest.mark.parametrize("escape", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__ }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ request.__class__.__init__.__globals__ }}",
    "{{ ('%s'|attr('format'))('x') }}",
    "{{ 'a'|attr('__class__') }}",
    "{{ ''.format.__globals__ }}",
    "{{ '{0.__class__}'.format('') }}",
    "{{ namespace.__init__.__globals__ }}",
])
def test_classic_escapes_fail_with_a_french_error(tmp_path, escape, monkeypatch):
    monkeypatch.setenv("CADA_SECRET_FOR_TEST", "motdepasse-tres-secret")
    try:
        html = _render(tmp_path, escape)
    except InputError as exc:
        assert "interdite" in exc.message or "n'a pas d'attribut" in exc.message \
            or "non définie" in exc.message, exc.message
        assert "motdepasse" not in exc.message
        return
    # Rendered without error: then nothing useful leaked (an undefined attribute is empty).
    assert "motdepasse" not in html and "environ" not in html and "subclasses" not in html


def test_environment_cannot_reach_os_environ(tmp_path, monkeypatch):
    monkeypatch.setenv("CADA_MAIL_PASSWORD", "motdepasse-tres-secret")
    for body in ("{{ cycler.__init__.__globals__ }}", "{{ lipsum.__globals__ }}",
                 "{{ range.__self__ }}", "{{ (''|attr('format')) }}"):
        try:
            html = _render(tmp_path, body)
        except InputError:
            continue
        assert "motdepasse" not in html


def test_builtin_mutables_are_immutable(tmp_path):
    message = _refused(tmp_path, "{% set l = [] %}{{ l.append(1) }}{{ l }}")
    assert "append" in message and "interdite" in message
    _refused(tmp_path, "{% set d = {} %}{{ d.update({'a': 1}) }}")


def test_a_huge_expansion_is_refused_quickly(tmp_path):
    # "Quickly" in CPU time (the rendering runs in this process): the expansion is
    # refused before it computes or allocates anything, which a busy machine's wall
    # clock cannot tell apart from a slow refusal.
    for body in ("{{ 'a' * 10**8 }}", "{{ 'a' * 100000000 }}", "{{ ['x'] * 10**8 }}",
                 "{{ 'a'|center(10**8) }}", "{{ '%100000000s' % 'a' }}",
                 "{{ '%100000000s'|format('a') }}", "{{ '{:>100000000}'.format('a') }}",
                 "{{ 2 ** 100000000 }}", "{{ 9 ** (9 ** 9) }}", "{{ 'ab'.ljust(100000000) }}",
                 "{{ 'x'|indent(100000000) }}"):
        started = time.process_time()
        message = _refused(tmp_path, body)
        assert "limite dépassée" in message or "interdite" in message, (body, message)
        assert time.process_time() - started < 1.0, body


def test_output_size_is_capped(tmp_path):
    from cada_tracker.sandbox import MAX_OUTPUT_CHARS

    body = "{% for i in range(100000) %}" + "x" * 100 + "{% endfor %}"
    started = time.process_time()
    message = _refused(tmp_path, body)
    assert "dépasse" in message and f"{MAX_OUTPUT_CHARS:_}".replace("_", " ") in message
    assert time.process_time() - started < 5


def test_loop_iterations_are_capped(tmp_path):
    started = time.process_time()
    message = _refused(tmp_path, "{% for i in range(100000) %}{% for j in range(100000) %}"
                                 "{% endfor %}{% endfor %}")
    assert "tours de boucle" in message and "ligne" in message
    assert time.process_time() - started < 5


def test_the_loop_guard_name_is_reserved(tmp_path):
    message = _refused(tmp_path, "{% set cada_loop_guard = range %}"
                                 "{% for i in range(3) %}{{ i }}{% endfor %}")
    assert "réservé" in message


def test_recursive_macro_is_a_french_error(tmp_path):
    message = _refused(tmp_path, "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")
    assert "imbriqués" in message


def test_ordinary_templates_still_work(tmp_path):
    html = _render(tmp_path, "{% for d in request.documents %}{{ loop.index }}/{{ loop.length }}"
                             " {{ d }}{% endfor %}{{ '%05d' % 42 }} {{ 'ab'|center(6) }}"
                             " {{ '{:>4}'.format('x') }}")
    assert "1/" in html and "00042" in html and "  ab  " in html and "   x" in html


def test_symlink_out_of_the_templates_folder_is_refused(tmp_path):
    secret = tmp_path / "profils.json"
    secret.write_text('{"password": "motdepasse-tres-secret"}', encoding="utf-8")
    folder = tmp_path / "modeles"
    folder.mkdir()
    os.symlink("/", folder / "racine")
    os.symlink(secret, folder / "profils.html.j2")
    for body in ('{% include "racine/etc/passwd" %}', '{% include "profils.html.j2" %}',
                 '{% include "racine' + str(secret) + '" %}', '{% include "../profils.json" %}',
                 '{% include "racine/dev/zero" %}'):
        (folder / "piege.html.j2").write_text(LETTER_HEAD + body, encoding="utf-8")
        with pytest.raises(InputError) as caught:
            letters.render("piege", base_context(), user_dir=folder)
        assert "motdepasse" not in caught.value.message
        assert "root:" not in caught.value.message


def test_symlink_inside_the_folder_is_allowed(tmp_path):
    folder = tmp_path / "modeles"
    (folder / "commun").mkdir(parents=True)
    (folder / "commun" / "signature.html").write_text("<p>Signé : le collectif</p>")
    os.symlink(folder / "commun", folder / "partage")
    (folder / "piege.html.j2").write_text(LETTER_HEAD + '{% include "partage/signature.html" %}')
    assert "Signé : le collectif" in letters.render("piege", base_context(), user_dir=folder)


def test_a_template_folder_symlinked_elsewhere_is_confined_to_its_target(tmp_path):
    real = tmp_path / "depot"
    real.mkdir()
    (real / "piege.html.j2").write_text(LETTER_HEAD + '{% include "../dehors.html" %}')
    (tmp_path / "dehors.html").write_text("DEHORS")
    link = tmp_path / "modeles"
    os.symlink(real, link)
    with pytest.raises(InputError):
        letters.render("piege", base_context(), user_dir=link)


def test_a_template_that_is_too_big_is_refused(tmp_path):
    from cada_tracker.sandbox import MAX_TEMPLATE_BYTES

    (tmp_path / "gros.html.j2").write_text(LETTER_HEAD + "x" * (MAX_TEMPLATE_BYTES + 1))
    with pytest.raises(InputError) as caught:
        letters.render("gros", base_context(), user_dir=tmp_path)
    assert "dépasse" in caught.value.message


def test_hostile_text_in_the_context_is_escaped_and_controls_shown(tmp_path):
    context = base_context()
    context["request"]["subject"] = "<script>x</script> {{ 7*7 }} \x1b[31m"
    html = letters.render("demande", context)
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert "{{ 7*7 }}" in html and "\x1b" not in html and "\\x1b[31m" in html


def test_a_template_compiles_once_per_process_whatever_the_folder(tmp_path, monkeypatch):
    """Environments of different folders share compiled templates; an edited template
    is compiled again, and one loaded compiled is as guarded as a fresh one."""
    from cada_tracker import sandbox

    compiled = []
    real = sandbox.LetterSandbox.compile

    def counting(self, source, name=None, *args, **kwargs):
        compiled.append(name)
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(sandbox.LetterSandbox, "compile", counting)
    monkeypatch.setattr(sandbox, "_compiled", {})
    folders = []
    for name in ("alice", "bob", "carol"):
        folders.append(tmp_path / name)
        folders[-1].mkdir()
    one = letters.render("demande", base_context(), user_dir=folders[0])
    two = letters.render("demande", base_context(), user_dir=folders[1])
    assert one == two and compiled.count("demande.html.j2") == 1, compiled

    user = folders[2] / "piege.html.j2"
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    user.write_text(LETTER_HEAD + "premier", encoding="utf-8")
    assert "premier" in letters.render("piege", base_context(), user_dir=folders[2])
    user.write_text(LETTER_HEAD + "second" + loop, encoding="utf-8")
    os.utime(user, (time.time() + 5, time.time() + 5))  # a new mtime even within 1 s
    letters._environment.cache_clear()  # as a new command would: a fresh environment
    with pytest.raises(InputError) as caught:
        letters.render("piege", base_context(), user_dir=folders[2])
    assert "tours de boucle" in caught.value.message
    assert compiled.count("piege.html.j2") == 2
    letters._environment.cache_clear()
    with pytest.raises(InputError) as again:  # the compiled code from the cache
        letters.render("piege", base_context(), user_dir=folders[2])
    assert "tours de boucle" in again.value.message
    assert compiled.count("piege.html.j2") == 2
