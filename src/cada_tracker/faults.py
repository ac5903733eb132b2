"""Faults of the machine, the disk or the server are expected: French, exit 5, no SQL.

The CLI's handler asks :func:`storage_error` what an exception means before
calling it a bug. SQLAlchemy is never imported here: a database error is
recognised by its driver exception (``exc.orig``) and the driver's own codes
(SQLite's message, PostgreSQL's SQLSTATE), so the SQL statement and its
parameters that SQLAlchemy puts in ``str(exc)`` never reach the user.
"""

from __future__ import annotations

import errno
import os

from cada_tracker.errors import StorageError

_OS_FAULTS = {
    errno.ENOSPC: ("disque plein", "Libérez de la place puis relancez la commande."),
    errno.EDQUOT: ("quota disque dépassé", "Libérez de la place puis relancez la commande."),
    errno.EROFS: ("système de fichiers en lecture seule",
                  "Le disque est monté en lecture seule : choisissez un autre dossier."),
    errno.EACCES: ("permission refusée", "Vérifiez les droits du fichier et de son dossier."),
    errno.EPERM: ("opération non permise", "Vérifiez les droits du fichier et de son dossier."),
    errno.ENAMETOOLONG: ("nom de fichier trop long", "Choisissez un nom ou un dossier plus court."),
    errno.ENOENT: ("fichier ou dossier introuvable", "Le dossier a-t-il été déplacé ?"),
    errno.ENOTDIR: ("un élément du chemin n'est pas un dossier", None),
    errno.EISDIR: ("c'est un dossier, pas un fichier", None),
    errno.EIO: ("erreur d'entrée-sortie du disque", "Le disque est peut-être défaillant."),
    errno.EMFILE: ("trop de fichiers ouverts", None),
    errno.ENETUNREACH: ("réseau inaccessible", None),
    errno.EHOSTUNREACH: ("hôte inaccessible", None),
    errno.ECONNREFUSED: ("connexion refusée", None),
    errno.ECONNRESET: ("connexion coupée par l'autre côté", None),
    errno.ETIMEDOUT: ("délai dépassé", None),
    errno.ELOOP: ("trop de liens symboliques dans le chemin", None),
    errno.EEXIST: ("un fichier du même nom existe déjà (là où un dossier est attendu ?)",
                   None),
    errno.EBUSY: ("fichier ou dossier occupé (un point de montage ?)", None),
}


def reason(exc: OSError) -> str:
    """Why ``exc`` happened, in French (the OS's own text is English)."""
    what = _OS_FAULTS.get(exc.errno, (None,))[0]
    if what is not None:
        return what
    return f"erreur système n° {exc.errno}" if exc.errno else type(exc).__name__


def os_error(exc: OSError) -> StorageError:
    """``exc`` in French, naming the file."""
    what, hint = _OS_FAULTS.get(exc.errno, (None, None))
    where = f" : {exc.filename}" if exc.filename else ""
    if what is None:
        return StorageError(f"Fichier inaccessible{where} ({reason(exc)}).",
                            hint="Vérifiez l'espace disque et les droits du dossier.")
    return StorageError(f"Fichier inaccessible{where} : {what}.", hint=hint)


def busy_message(where: str, timeout: float) -> StorageError:
    return StorageError(
        f"La base {where} est occupée depuis {timeout:g} s : une autre commande cada est "
        "sans doute en train d'y écrire (une campagne, un import, une mise à jour).",
        hint="Relancez la commande quand elle aura fini ; le délai d'attente se règle avec "
             "CADA_BUSY_TIMEOUT (en secondes).",
    )


_SQLITE = [  # (text of SQLite's message, French message, hint)
    ("database or disk is full", "disque plein : la base {w} ne peut plus grandir",
     "Libérez de la place puis relancez la commande."),
    ("readonly database", "la base {w} est en lecture seule",
     "Vérifiez les droits du fichier, de son dossier et des fichiers -wal et -shm."),
    ("disk i/o error", "erreur d'entrée-sortie du disque sur la base {w}",
     "Vérifiez le disque et l'espace libre, puis relancez : la transaction a été annulée."),
    ("unable to open database file", "impossible d'ouvrir la base {w}",
     "Vérifiez que le dossier existe et que vous pouvez y écrire."),
    ("file is not a database", "ce fichier n'est pas une base cada : {w}",
     "Indiquez une autre base avec --db ou CADA_DATABASE_URL."),
    ("malformed", "la base {w} est endommagée",
     "Restaurez la dernière sauvegarde (cada db backup en écrit une)."),
]

_PG = {  # SQLSTATE (or its class) -> (French message, hint)
    "53100": ("disque plein sur le serveur {w}", "L'administrateur du serveur doit libérer de "
              "la place."),
    "53200": ("mémoire épuisée sur le serveur {w}", None),
    "53300": ("trop de connexions ouvertes sur le serveur {w}", "Réessayez dans un instant."),
    "40P01": ("conflit avec une autre commande cada sur {w} (interblocage) : rien n'a été "
              "enregistré", "Relancez la commande."),
    "40001": ("conflit avec une autre commande cada sur {w} : rien n'a été enregistré",
              "Relancez la commande."),
    "25006": ("la base {w} est en lecture seule", None),
    "42501": ("droits insuffisants sur la base {w}", "Demandez les droits d'écriture à "
              "l'administrateur du serveur."),
    "28P01": ("authentification refusée par le serveur {w}", "Vérifiez l'utilisateur et le "
              "mot de passe (PGPASSWORD)."),
    "28000": ("authentification refusée par le serveur {w}", None),
    "3D000": ("la base n'existe pas sur le serveur {w}", "Créez-la (createdb) ou corrigez l'URL."),
    "57P01": ("le serveur {w} s'est arrêté pendant la commande : rien n'a été enregistré",
              "Relancez la commande quand le serveur sera revenu."),
    "57P02": ("le serveur {w} s'est arrêté pendant la commande : rien n'a été enregistré",
              "Relancez la commande quand le serveur sera revenu."),
    "57P03": ("le serveur {w} n'accepte pas encore de connexions", "Réessayez dans un instant."),
    "08": ("connexion perdue avec le serveur {w} : rien n'a été enregistré",
           "Vérifiez le réseau et le serveur, puis relancez la commande."),
}


def storage_error(exc: BaseException, url: str | None) -> StorageError | None:
    """What a database exception means to the user, or None if it is not one we know."""
    from cada_tracker.dburl import display_url, without_password

    if isinstance(exc, OSError):
        return os_error(exc)
    orig = getattr(exc, "orig", None) if type(exc).__module__.startswith("sqlalchemy") else exc
    if orig is None:
        return None
    module = type(orig).__module__
    message = str(orig).lower()
    if _undecodable_schema(orig):
        module, message = "sqlite3", "malformed"
    if module.startswith("sqlite3"):
        from cada_tracker.paths import sqlite_path_of

        path = sqlite_path_of(url or "")
        where = f"« {path} »" if path else "SQLite"
        if path is not None and _read_only_disk(path):
            return StorageError(f"La base {where} est sur un disque en lecture seule.",
                                hint="cada doit pouvoir y écrire (même pour lire : fichiers "
                                     "-wal et -shm) : copiez la base ailleurs ou remontez le "
                                     "disque en lecture-écriture.")
        if "locked" in message:
            return busy_message(where, busy_timeout())
        if path is not None and ("readonly" in message or "unable to open" in message):
            named = _unwritable(path)
            if named is not None:
                return named
        for needle, french, hint in _SQLITE:
            if needle in message:
                return StorageError(_capital(french.format(w=where)) + ".", hint=hint)
        return None
    if module.startswith("psycopg"):
        where = f"« {display_url(without_password(url))} »" if url else "PostgreSQL"
        state = getattr(orig, "sqlstate", None) or ""
        if state in ("55P03", "57014"):  # lock_timeout, statement_timeout
            return busy_message(where, busy_timeout())
        found = _PG.get(state) or _PG.get(state[:2])
        if found is None and type(orig).__name__ == "OperationalError":
            found = (("connexion impossible ou perdue avec le serveur {w} : rien n'a été "
                      "enregistré"), "Vérifiez que le serveur tourne et que l'URL est juste.")
        if found is not None:
            french, hint = found
            return StorageError(_capital(french.format(w=where)) + ".", hint=hint)
    return None


def machine_fault(exc: BaseException) -> bool:
    """Whether ``exc`` is the machine's or another command's doing (a busy or read-only
    database, a full disk, a lost server), which has its own message, rather than
    damage to what the database holds."""
    if storage_error(exc, None) is None:
        return False
    orig = getattr(exc, "orig", exc)
    return "malformed" not in str(orig).lower() and not _undecodable_schema(orig)


def _undecodable_schema(exc: BaseException) -> bool:
    """SQLite's "malformed database schema (…)" quoting bytes of a damaged schema that
    are not UTF-8: Python raises UnicodeDecodeError on the message itself."""
    return (isinstance(exc, UnicodeDecodeError) and isinstance(exc.object, bytes)
            and exc.object.startswith(b"malformed database schema"))


def _unwritable(path) -> StorageError | None:
    """Which of the database's folder or file stops SQLite, named (or None)."""
    folder = path.parent
    if not folder.exists():
        return StorageError(f"Le dossier de la base « {folder} » n'existe pas.",
                            hint="Créez-le, ou indiquez une autre base avec --db ou "
                                 "CADA_DATABASE_URL.")
    if not folder.is_dir():
        return StorageError(f"« {folder} », où devrait être la base, n'est pas un dossier.")
    if not os.access(folder, os.W_OK | os.X_OK):
        return StorageError(
            f"Le dossier de la base « {folder} » est en lecture seule pour vous.",
            hint="cada doit pouvoir y écrire, même pour lire (fichiers -wal et -shm) : "
                 "rendez-le accessible en écriture (chmod u+w), ou copiez la base ailleurs.")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return StorageError(f"La base « {path} » est en lecture seule pour vous.",
                            hint="Rendez le fichier accessible en écriture (chmod u+rw).")
    return None


def _read_only_disk(path) -> bool:
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


DEFAULT_BUSY_TIMEOUT = 30.0


def busy_timeout(env: dict[str, str] | None = None) -> float:
    """How long a command waits for another one's write lock, in seconds.

    ``CADA_BUSY_TIMEOUT`` sets it (default 30 s, between 0.1 s and one hour).
    """
    raw = (os.environ if env is None else env).get("CADA_BUSY_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = -1.0
    if not 0.1 <= value <= 3600:
        from cada_tracker.errors import InputError

        raise InputError(f"CADA_BUSY_TIMEOUT : « {raw} » n'est pas un délai en secondes "
                         "entre 0.1 et 3600.")
    return value
