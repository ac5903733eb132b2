"""Directory imports read a stream and write in batches: memory does not grow with the
file, an interrupted import keeps its committed batches and says how to complete it,
and nothing is written before the whole file is read (issue 10, item 5)."""

from __future__ import annotations

import sqlite3
import tracemalloc

import pytest

from cada_tracker.services import directory_import

HEADER = "key,name,kind,addressee,street,postcode,city,email,prada_name,prada_email,department,tags\n"


def cada_file(tmp_path, count: int, *, tail: str = "", name: str = "annuaire.csv"):
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(count):
            fh.write(f"syn:{i},Mairie de Saint-Étienne-{i},commune,Monsieur le maire,"
                     f"{i} place de l'Hôtel de Ville | BP {i},{42000 + i % 900:05d},VILLE-{i},"
                     f"mairie{i}@ville.example,Jean DUPONT,prada{i}@ville.example,,vsa\n")
        fh.write(tail)
    return path


def total(cli) -> int:
    return len(cli("admin", "list", "--json", ok=True).json())


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(directory_import, "BATCH", 4)


def _failing_after(monkeypatch, calls: int, exc: BaseException):
    real = directory_import.apply_import
    seen = []

    def apply(session, plan):
        seen.append(1)
        if len(seen) > calls:
            raise exc
        real(session, plan)

    monkeypatch.setattr(directory_import, "apply_import", apply)


@pytest.mark.parametrize(("fault", "code", "why"), [
    (KeyboardInterrupt(), 130, "par Ctrl-C"),
    (sqlite3.OperationalError("database or disk is full"), 5, "disque plein"),
], ids=["ctrl-c", "disk-full"])
def test_interrupted_import_keeps_its_batches_and_rerun_completes_it(
        cli, tmp_path, monkeypatch, small_batches, fault, code, why):
    path = cada_file(tmp_path, 10)
    cli("admin", "list", ok=True)
    with monkeypatch.context() as patch:
        _failing_after(patch, 2, fault)
        result = cli("admin", "import", path)
    assert result.exit_code == code
    assert (f"Import interrompu ({why}" in result.stderr
            and "8 administration(s) sur 10 enregistrée(s)" in result.stderr), result.stderr
    assert "Relancez la même commande pour terminer" in result.stderr
    assert "Traceback" not in result.stderr
    assert total(cli) == 8  # two batches of 4, committed
    again = cli("admin", "import", path, "--json", ok=True).json()
    assert (again["created"], again["unchanged"]) == (2, 8)
    assert total(cli) == 10


def test_nothing_is_written_before_the_whole_file_is_read(cli, tmp_path, small_batches):
    bad_last = 'syn:x,Mairie de Nulle-Part,commune,,,13OO2,Marseille,,,,,\n'
    path = cada_file(tmp_path, 10, tail=bad_last)
    strict = cli("admin", "import", path, "--strict")
    assert strict.exit_code == 2 and "Ligne 12" in strict.stderr
    assert total(cli) == 0
    broken = cada_file(tmp_path, 10, tail='syn:y,"Mairie de Nulle-Part,commune,,,,,,,,,\n',
                       name="broken.csv")
    result = cli("admin", "import", broken)
    assert result.exit_code == 2 and "guillemet non fermé" in result.stderr
    assert total(cli) == 0
    assert cli("admin", "import", path, "--json", ok=True).json()["created"] == 10


def _peak_mib(cli, path) -> float:
    tracemalloc.start()
    try:
        cli("admin", "import", path, ok=True)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(cli, tmp_path, monkeypatch):
    # tracemalloc counts every Python allocation, so the figures do not depend on the
    # machine's load, and the sizes can stay small (tracing makes the import ~3x slower).
    monkeypatch.setattr(directory_import, "BATCH", 100)
    cli("admin", "list", ok=True)
    small = _peak_mib(cli, cada_file(tmp_path, 500, name="small.csv"))
    monkeypatch.setenv("CADA_HOME", str(tmp_path / "other-home"))
    large = _peak_mib(cli, cada_file(tmp_path, 2000, name="large.csv"))
    # Four times the rows: only the keys seen grow (about 100 bytes a row), not the
    # records (about 1 KB a row parsed, more once planned, which the whole-file import
    # held at once: one batch of the whole file gives 8 MiB more here, streaming 0).
    assert large - small < 0.75, (small, large)


@pytest.mark.parametrize("rows, passes", [(4, 1), (9, 2)])
def test_a_file_of_one_batch_is_read_once(cli, tmp_path, monkeypatch, small_batches, rows,
                                          passes):
    """The check pass keeps a file's only batch for the write pass; a longer file is
    read again, a batch at a time (memory holds one batch either way)."""
    from cada_tracker.directory.reader import DirectoryStream

    reads = []
    records = DirectoryStream.records

    def counted(self):
        reads.append(self.source)
        return records(self)

    monkeypatch.setattr(DirectoryStream, "records", counted)
    report = cli("admin", "import", cada_file(tmp_path, rows), "--json", ok=True).json()
    assert report["created"] == rows and total(cli) == rows
    assert len(reads) == passes
