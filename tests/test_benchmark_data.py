"""The benchmark set agrees with itself: index.csv, truth files and recordings.

Every index row has its truth file and its recording, they name the same clip, stretch, body
and split as the row, no body is in both splits (nor in another split than bodies.py gives
it), every recording has a valid header and one frame per truth frame, and no file in the
clips folder is missing from the index.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from posecheck.pose.recording import FORMAT, READABLE, load_recording

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
CLIPS = DATA / "clips"
REQUIRED = (
    "clip",
    "stretch",
    "body",
    "split",
    "working_side",
    "camera_azimuth_deg",
    "camera_height_m",
    "camera_distance_m",
    "faults",
    "seed",
)
STRETCHES = {p.stem for p in (ROOT / "stretch_specs").glob("*.yaml")}


def _bodies():
    spec = importlib.util.spec_from_file_location("bodies", ROOT / "tools/render/bodies.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bodies", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with open(DATA / "index.csv", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        assert not missing, f"index.csv lacks columns {missing}"
        out = list(reader)
    assert out, "index.csv lists no clips"
    return out


def test_every_row_has_truth_and_recording_that_agree(rows):
    for row in rows:
        clip = row["clip"]
        truth_path = CLIPS / f"{clip}.truth.json.gz"
        rec_path = CLIPS / f"{clip}.pose.json.gz"
        assert truth_path.exists(), f"{clip}: no truth file"
        assert rec_path.exists(), f"{clip}: no recording"
        with gzip.open(truth_path, "rt") as fh:
            truth = json.load(fh)
        assert truth["clip"] == clip
        assert truth["stretch"] == row["stretch"] and row["stretch"] in STRETCHES
        assert truth["body"] == row["body"]
        assert truth["generation"]["split"] == row["split"]
        assert str(truth["generation"]["seed"]) == row["seed"]
        faults = ";".join(f"{f['fault']}:{f['side']}" for f in truth["faults"])
        assert faults == row["faults"], clip
        assert len(truth["frames"]) / truth["fps"] >= 4.0, f"{clip}: shorter than 4 s"
        rec = load_recording(rec_path)
        assert rec.estimator.get("name") and "package_version" in rec.estimator, clip
        assert (rec.info.width, rec.info.height) == (truth["width"], truth["height"])
        assert len(rec.frames) == len(truth["frames"]), f"{clip}: frame counts differ"
        assert rec.source["file"] == f"{clip}.mp4"


def test_recording_headers_are_this_format(rows):
    for row in rows[:3]:
        with gzip.open(CLIPS / f"{row['clip']}.pose.json.gz", "rt") as fh:
            doc = json.load(fh)
        assert doc["format"] == FORMAT and doc["version"] in READABLE


def test_splits_are_by_body(rows):
    split_of: dict[str, set[str]] = {}
    for row in rows:
        split_of.setdefault(row["body"], set()).add(row["split"])
    assert all(len(s) == 1 for s in split_of.values()), f"bodies in both splits: {split_of}"
    table = {b.id: b.split for b in _bodies().ALL_BODIES}
    for body, splits in split_of.items():
        assert splits == {table[body]}, f"{body} is in {splits}, bodies.py says {table[body]}"
    assert {row["split"] for row in rows} <= {"dev", "test"}
    if len(rows) >= 32:
        test_share = sum(row["split"] == "test" for row in rows) / len(rows)
        assert test_share >= 0.25, f"only {test_share:.0%} of the clips are in the test split"


def test_no_stray_files_in_the_clips_folder(rows):
    listed = {row["clip"] for row in rows}
    names = {p.name.split(".")[0] for p in CLIPS.iterdir()}
    assert names <= listed, f"files without an index row: {sorted(names - listed)[:5]}"
