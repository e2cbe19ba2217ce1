"""The results browser lists a results folder's tables, figures and report (not the runs)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from mergesim.app.results import list_results, read_table, result_folders


@pytest.fixture
def sweep_folder(tmp_path):
    root = tmp_path / "results" / "policy"
    (root / "figures").mkdir(parents=True)
    (root / "runs" / "r1").mkdir(parents=True)
    (root / "manifest.json").write_text("{}")
    (root / "report.md").write_text("# report\n")
    pd.DataFrame({"run_id": range(5), "x": [0.1] * 5}).to_csv(root / "runs.csv", index=False)
    with gzip.open(root / "timeseries.csv.gz", "wt") as f:
        f.write("week,a\n0,1\n1,2\n")
    (root / "figures" / "bands.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "runs" / "r1" / "villages.csv.gz").write_bytes(b"")
    (root / "runs" / "r1" / "map.png").write_bytes(b"")
    (root / ".runs.csv.tmp").write_text("partial")
    return root


def test_listing_has_tables_figures_and_report_but_not_the_runs(sweep_folder):
    listing = list_results(sweep_folder)
    assert listing.tables == ("runs.csv", "timeseries.csv.gz")
    assert listing.figures == ("figures/bands.png",)
    assert listing.report == "report.md"


def test_results_folders_are_found_below_a_start_folder(sweep_folder, tmp_path):
    (tmp_path / "results" / "empty").mkdir()
    assert result_folders(tmp_path / "results") == [sweep_folder]
    assert result_folders(tmp_path / "nowhere") == []


def test_tables_are_read_up_to_a_row_limit(sweep_folder):
    df, rows = read_table(sweep_folder / "runs.csv")
    assert rows == 5 and list(df.columns) == ["run_id", "x"]
    df, rows = read_table(sweep_folder / "runs.csv", max_rows=3)
    assert len(df) == 3 and rows is None
    df, rows = read_table(sweep_folder / "timeseries.csv.gz")
    assert df["a"].tolist() == [1, 2]


def test_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        list_results(tmp_path / "missing")
