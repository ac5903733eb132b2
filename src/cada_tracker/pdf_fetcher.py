"""The locked URL fetcher of ``cada_tracker.pdf``: letters fetch nothing outside their folders.

It serves only files inside the letters folder and the user's template folder,
plus ``data:`` URLs; everything else is refused and recorded (see ``pdf``).
"""

from __future__ import annotations

from pathlib import Path


class ResourceRefused(ValueError):
    """A letter asked for a resource outside the letters folders (never fetched)."""


def fetcher_class() -> type:
    """The locked fetcher, a subclass of WeasyPrint's (built on first use)."""
    import mimetypes
    from urllib.parse import urlsplit
    from urllib.request import DataHandler, Request, url2pathname

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LockedURLFetcher(URLFetcher):
        def __init__(self, letters_dir: Path, user_dir: Path | None) -> None:
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
            self.letters_dir = letters_dir
            self.user_dir = user_dir
            self.roots = [d for d in (user_dir, letters_dir) if d is not None]
            self.requested: list[str] = []
            self.served: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            self.requested.append(url)
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                response = DataHandler().data_open(Request(url))
                self.served.append(url[:40])
                return URLFetcherResponse(url, body=response.read(), headers=dict(response.headers))
            if scheme == "file":
                path = self._allowed_path(url)
                if path is not None:
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    self.served.append(url)
                    return URLFetcherResponse(
                        path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime}
                    )
            self.refused.append(url)
            raise ResourceRefused(f"ressource refusée (hors du dossier des modèles) : {url}")

        def _allowed_path(self, url: str) -> Path | None:
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                return None
            raw = Path(url2pathname(parts.path))
            candidates = [raw]
            if self.user_dir is not None and raw.is_relative_to(self.letters_dir):
                # Like templates: a file of the same name in the user's folder wins.
                candidates.insert(0, self.user_dir / raw.relative_to(self.letters_dir))
            for candidate in candidates:
                try:
                    real = candidate.resolve(strict=True)
                except (OSError, RuntimeError):
                    continue
                if real.is_file() and any(real.is_relative_to(root) for root in self.roots):
                    return real
            return None

    return LockedURLFetcher
