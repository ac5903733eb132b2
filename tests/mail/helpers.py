"""Test messages: real-world shapes in tests/mail/data, addressed to a sent request."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"


def message(name: str, *, reference: str, message_id: str) -> bytes:
    raw = (DATA / name).read_bytes()
    return raw.replace(b"@@REF@@", reference.encode()).replace(b"@@MSGID@@",
                                                               message_id.encode())


def write(folder: Path, names: list[str], *, reference: str, message_id: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        path = folder / name
        path.write_bytes(message(name, reference=reference, message_id=message_id))
        paths.append(path)
    return paths
