"""The rendered sample clips, through the whole pipeline with real MediaPipe.

Each good-form clip must raise no fault; each fault clip must raise its fault (on a side that
does not contradict the truth; see posecheck.review.truth). Where the pipeline cannot yet do
that, the clip is listed in KNOWN_MISSES with what goes wrong, and expected to fail: strictly,
so a clip that starts passing must be taken off the list. ``benchmarks/accuracy.py`` gives
the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from posecheck.review.analysis import analyze_video
from posecheck.review.truth import load_truth, score
from posecheck.specs.schema import load_by_id

pytestmark = pytest.mark.mediapipe
SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
TRUTHS = sorted(SAMPLES.glob("*.truth.json"))

_FAR_LEG = (
    "from the 60 degree diagonal the leg farther from the camera falls under the line: its"
    " move the way a fall goes reads at most 0.13 shin lengths against 0.25, with the body's"
    " camera at 48 degrees round for a true 60 (docs/measurement.md 20.8)"
)
KNOWN_MISSES: dict[str, str] = {
    "supine_knee_drop_feet_move_female": (
        "a 10 cm slide of one foot toward the other reads at most 0.11 start shoulder widths"
        " narrower through MediaPipe (session 10), inside the 0.47 line (about 18 cm)"
    ),
    "supine_knee_drop_other_knee_falls_male": _FAR_LEG,
    # supine_knee_drop_too_fast_male is caught since session 13: too_fast times the far
    # knee's moves (drop_time) instead of reading its speed, which the far leg read short.
}


def clip_id(path: Path) -> str:
    return path.name.removesuffix(".truth.json")


def test_the_folder_is_complete_and_small():
    videos = sorted(SAMPLES.glob("*.mp4"))
    assert videos, "sample_videos/ holds no clips"
    assert {clip_id(t) for t in TRUTHS} == {v.stem for v in videos}
    assert (SAMPLES / "README.md").is_file()
    size_mb = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file()) / 1e6
    assert size_mb < 60, f"sample_videos/ is {size_mb:.0f} MB; keep it under 60"
    assert set(KNOWN_MISSES) <= {clip_id(t) for t in TRUTHS}


@pytest.mark.parametrize("truth_path", TRUTHS, ids=[clip_id(t) for t in TRUTHS])
def test_clip_gets_the_feedback_its_truth_says(truth_path: Path, request):
    name = clip_id(truth_path)
    if name in KNOWN_MISSES:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_MISSES[name], strict=True))
    truth = load_truth(truth_path)
    result = score(
        analyze_video(truth_path.with_name(f"{name}.mp4"), load_by_id(truth.stretch)), truth
    )
    if truth.is_good_form:
        assert result.flags == 0, [(e.fault_id, e.side) for e in result.false_alarms]
    else:
        assert result.misses == (), [(t.fault, t.side) for t in result.misses]
        assert result.hits or result.not_checked
