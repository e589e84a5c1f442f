"""The review notebook runs top to bottom (nbclient, a real kernel) on real sample results."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from balance_cam.io.results import write_outputs
from tests.conftest import ROOT, analyzed
from tests.test_report import two_sided

NOTEBOOK = ROOT / "notebooks" / "balance_review.ipynb"


@pytest.mark.slow
def test_notebook_runs_on_sample_results(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    results, figures = tmp_path / "results", tmp_path / "figures"
    cam01, series = analyzed("pose2sim_cam01.mp4")
    both = two_sided()
    write_outputs(results, "cam01", cam01, series)
    write_outputs(results, "cam01_both_legs", both, None)
    pose1, _ = analyzed("pose_1.mp4")
    write_outputs(results, "pose_1", pose1, None)
    (results / "manifest.json").write_text('{"not": "a result"}')  # must be skipped
    monkeypatch.setenv("BALANCE_CAM_RESULTS", str(results))
    monkeypatch.setenv("BALANCE_CAM_FIGURES", str(figures))
    monkeypatch.setenv("MPLBACKEND", "Agg")

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]  # fmt: skip
    assert errors == []

    for name in ("sway_distributions", "sway_traces"):
        for ext in ("svg", "png"):
            assert (figures / f"{name}.{ext}").stat().st_size > 5_000
    trials = pd.read_csv(figures / "trials.csv")
    n_trials = len(cam01.trials) + len(both.trials) + len(pose1.trials)
    assert len(trials) == n_trials
    lr = pd.read_csv(figures / "left_right.csv", index_col="file")
    row = lr.loc["cam01_both_legs"]
    assert row["left_hold_s"] == pytest.approx(both.summary.left.best_hold_s, abs=1e-5)
    assert row["right_hold_s"] == pytest.approx(both.summary.right.best_hold_s, abs=1e-5)
    expected = both.summary.hold_asymmetry_pct
    assert row["hold_asymmetry_pct"] == pytest.approx(expected, abs=1e-4)
    one_sided = lr.loc["cam01"]
    assert pd.isna(one_sided["right_hold_s"]) and pd.isna(one_sided["hold_asymmetry_pct"])


def test_notebook_is_stored_without_outputs():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert os.path.getsize(NOTEBOOK) < 50_000
