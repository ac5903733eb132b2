"""``cada export``'s processes: the command without the ORM, the rendering process as one
of the workers, batches shared evenly between the workers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pdf = pytest.importorskip("cada_tracker.pdf")

ORM = ("pydantic", "sqlmodel", "sqlalchemy.orm", "cada_tracker.models")


def _loaded_by_export(args: list[str]) -> list[str]:
    code = ("import sys\n"
            "from cada_tracker.cli.main import run\n"
            f"code = run({args!r})\n"
            f"print(code, sorted(m for m in sys.modules if m in {ORM!r}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=os.environ).stdout.splitlines()[-1]
    return out.split(" ", 1)


def test_export_selects_and_reads_the_letters_without_the_orm(draft_ref, tmp_path):
    code, loaded = _loaded_by_export(["export", draft_ref, "--out", str(tmp_path)])
    assert code == "0" and loaded == "[]"
    assert len(list(tmp_path.glob(f"{draft_ref}-*.pdf"))) == 1
    code, loaded = _loaded_by_export(["export", "--status", "draft", "--html", "--out",
                                      str(tmp_path / "html")])
    assert code == "0" and loaded == "[]"


def test_an_unknown_reference_still_names_the_close_ones(cli, draft_ref):
    near = draft_ref[:-1] + ("0" if draft_ref[-1] != "0" else "1") + "9"
    result = cli("export", near)
    assert result.exit_code == 3
    assert f"Aucune demande de référence « {near} »" in result.stderr
    assert draft_ref in result.stderr


@pytest.mark.parametrize("count, workers, chunk", [
    (50, 2, 9), (20, 2, 10), (21, 2, 6), (11, 2, 6), (500, 2, 10), (50, 4, 7),
    (50, 1, 10), (1, 2, 1), (0, 2, 10),
])
def test_batches_are_shared_evenly_between_the_workers(count, workers, chunk):
    assert pdf.balanced_chunk(count, workers) == chunk
    if count and workers > 1:
        batches = -(-count // chunk)
        assert batches % workers == 0 or batches < workers


def _pid_job(renderer, batch):
    return os.getpid(), list(batch)


@pytest.mark.skipif(not pdf._can_fork(), reason="workers are forked (Linux)")
def test_the_process_that_runs_the_pool_renders_batches_too():
    renderer = pdf.Renderer.__new__(pdf.Renderer)  # the job needs no WeasyPrint
    renderer.fetcher = type("F", (), {"refused": []})()
    batches = [[i, i + 1] for i in range(0, 24, 2)]
    results = list(renderer._run(_pid_job, iter(batches), 2))
    assert [batch for _, batch in results] == batches  # in order
    pids = {pid for pid, _ in results}
    assert os.getpid() in pids and len(pids) == 2  # here and ONE forked worker
