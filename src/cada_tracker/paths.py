"""The one place that resolves where cada keeps things.

Order of precedence: explicit option > environment > default.

- ``CADA_HOME`` moves data and configuration together (tests and scripts use it).
- ``CADA_DATABASE_URL`` (or ``--db``) takes any SQLAlchemy URL.
- Without either, data goes to the platform's user data directory and the
  configuration to its user config directory (platformdirs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "cada"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

_PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Locations:
    data_dir: Path
    config_dir: Path
    database_url: str

    @property
    def files_dir(self) -> Path:
        """Where attachments received from administrations are stored."""
        return self.data_dir / "fichiers"

    @property
    def profiles_file(self) -> Path:
        return self.config_dir / "profils.json"

    @property
    def config_file(self) -> Path:
        """cada's TOML settings (the ``[mail]`` section of ``cada mail setup``)."""
        return self.config_dir / "config.toml"

    @property
    def user_letters_dir(self) -> Path:
        """User templates; a file here overrides a built-in template of the same name."""
        return self.config_dir / "modeles"

    @property
    def sqlite_path(self) -> Path | None:
        return sqlite_path_of(self.database_url)


def sqlite_path_of(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL, or None for other databases and memory."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix):].split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)


def resolve(database_url: str | None = None, env: dict[str, str] | None = None) -> Locations:
    env = os.environ if env is None else env
    home = env.get("CADA_HOME")
    if home:
        data_dir = config_dir = Path(home).expanduser()
    else:
        import platformdirs

        data_dir = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        config_dir = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    url = database_url or env.get("CADA_DATABASE_URL") or f"sqlite:///{data_dir / 'cada.db'}"
    return Locations(data_dir=data_dir, config_dir=config_dir, database_url=url)


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and its missing parents, each readable only by its owner
    (0700 whatever the umask: ``mkdir(parents=True)`` alone gives parents 0777
    minus the umask).

    A folder that already exists is left as it is: a database given with ``--db``
    may live in a folder the user shares on purpose.
    """
    if path.is_dir():
        return path
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # another command created it meanwhile: theirs is private too
        os.chmod(folder, PRIVATE_DIR)
    return path


def asset_dir(name: str) -> Path:
    """A directory shipped with cada: ``db`` (migrations) or ``letters`` (templates).

    In a wheel they live inside the package (``_db``, ``_letters``); in a source
    checkout they are the top-level folders of the repository.
    """
    packaged = _PACKAGE_DIR / f"_{name}"
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent.parent / name


def display_url(url: str) -> str:
    """The URL without its passwords, fit for a message (see :mod:`cada_tracker.dburl`)."""
    from cada_tracker.dburl import display_url as masked

    return masked(url)
