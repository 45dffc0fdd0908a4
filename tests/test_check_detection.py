"""tools/render/check_detection.py: the rendered clips checked with the project's own estimator
(the same decoding and Tasks model as the app), not the legacy mp.solutions API."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "render" / "check_detection.py"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_tool_uses_the_projects_estimator_not_mediapipe_directly():
    names = _imports(TOOL)
    assert "mediapipe" not in names
    assert {"posecheck.pose.estimator", "posecheck.media.source"} <= names


@pytest.mark.mediapipe
def test_the_tool_finds_the_rendered_person_and_measures_against_the_truth():
    spec = importlib.util.spec_from_file_location("check_detection", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    r = tool.check(ROOT / "sample_videos" / "clamshell_too_fast_male.mp4")
    assert (r["frames"], r["detected"]) == (80, 80)
    assert r["frames_better_with_lr_swapped"] == 0
    assert r["mean_px_error_hip_knee_ankle"] < 8.0  # 3.6 px measured
    assert set(r["mean_px_error"]) == {"shoulder", "hip", "knee", "ankle"}
    assert r["estimator"] == "full"
    assert "detected 80/80 frames (100%)" in tool.line(r)
