"""Streamlit AppTest smoke tests of every page, and the replay page's helpers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from posecheck.coaching.live import available_specs
from posecheck.errors import SourceError
from posecheck.media.source import VideoSource
from posecheck.media.video_out import ffmpeg_exe
from posecheck.overlay import annotate_step
from posecheck.review.analysis import analyze_video
from posecheck.review.store import HistoryStore
from posecheck.review.timeline import (
    clip_facts,
    clip_label,
    fault_intervals,
    fault_rows,
    frame_at,
    guess_stretch,
    list_clips,
    longest_hold_text,
    read_frame,
    rom_rows,
    safe_name,
    save_upload,
)
from posecheck.specs.schema import load_by_id

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
LIVE = "app_pages/Live_coaching.py"
REPLAY = "app_pages/Replay_review.py"
SPECS, _ = available_specs()


@pytest.fixture(autouse=True)
def _app_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # streamlit-webrtc looks up the live server session, which AppTest does not have.
    import streamlit_webrtc.component

    monkeypatch.setattr(streamlit_webrtc.component, "get_this_session_info", lambda: None)
    monkeypatch.setenv("POSECHECK_SAMPLE_DIR", str(tmp_path / "no_clips_yet"))


def page(path: str | None = None, timeout_s: float = 30) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout_s)
    at.run()  # the navigation registers the pages on the first run
    if path is not None:
        at.switch_page(path).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    return "\n".join(m.value for m in (*at.markdown, *at.caption, *at.warning, *at.info))


# -- home ------------------------------------------------------------------------------------


def test_home_lists_every_stretch_and_the_safety_note() -> None:
    at = page()
    body = texts(at)
    for spec in SPECS.values():
        assert spec.name in body
    assert any("not medical advice" in w.value for w in at.warning)


# -- live coaching ---------------------------------------------------------------------------


def test_live_page_offers_every_stretch_with_its_instructions() -> None:
    at = page(LIVE)
    select = at.selectbox(key="live_stretch")
    assert sorted(select.options) == sorted(s.name for s in SPECS.values())
    assert select.value == "prone_internal_rotation"  # the app opens on the classic stretch
    spec = SPECS[select.value]
    body = texts(at)
    assert "not medical advice" in body and "healthcare provider" in body
    assert spec.instructions[0] in body
    assert f"{len(spec.instructions)}. {spec.instructions[-1]}" in body
    assert spec.camera.placement in body
    assert "press START" in body
    assert len(at.get("image")) == 1, "no camera-placement picture"
    # The cue sends a person to where the placement picture is: the "How to do it" panel's
    # "Camera placement" (it said "the picture under the video", where there is none).
    assert "#### Camera placement" in body
    assert f"How to do it: {spec.name}" in [e.label for e in at.expander]
    assert "Camera placement picture in How to do it" in body
    assert "under the video" not in body


def test_choosing_another_stretch_shows_its_steps_dose_and_blind_spots() -> None:
    at = page(LIVE)
    spec = load_by_id("prone_internal_rotation")
    at.selectbox(key="live_stretch").set_value(spec.id).run()
    assert not at.exception
    body = texts(at)
    assert spec.instructions[3] in body
    assert "**Dose:** Hold 30 s, 5 times per side, alternating sides" in body
    assert "Not checked from this view" in body
    # Blind spots in plain words: never the spec's developer notes.
    assert spec.not_checked[0].message.rstrip(".") in body
    assert spec.not_checked[0].reason.split(".")[0] not in body
    assert "rendered bodies" not in body


def test_supine_hip_rotation_says_the_shoulders_are_not_checked_from_this_view() -> None:
    """Session 14: a shoulder coming up is not checked from beyond the feet; the page says
    so in plain words, without the spec's dev figures."""
    at = page(LIVE)
    spec = load_by_id("supine_hip_rotation")
    at.selectbox(key="live_stretch").set_value(spec.id).run()
    assert not at.exception
    body = texts(at)
    assert "Not checked from this view" in body
    assert "Keep both shoulders on the mat by rolling less far." in body


def test_mute_toggle_and_ice_setting() -> None:
    at = page(LIVE)
    speak = at.toggle(key="speak_cues")
    assert speak.value is True
    speak.set_value(False).run()
    assert at.session_state["speak_cues"] is False
    assert at.radio(key="voice_mode").value == "every"
    assert at.slider(key="voice_rate").value == 1.0
    # Settings few people need are folded away under one plain heading (no bare "ICE servers").
    advanced = [e for e in at.sidebar.expander if e.label == "Advanced settings"]
    assert len(advanced) == 1
    assert [t.key for t in advanced[0].text_input] == ["ice_servers"]
    assert [t.key for t in advanced[0].toggle] == ["show_speed"]
    at.text_input(key="ice_servers").input("http://not-ice").run()
    assert any("not a stun:/turn: URL" in e.value for e in at.sidebar.error)


def _finished_set_page(
    reps: tuple[tuple[str, int], ...] = (("left", 1), ("right", 0)), holds: tuple = ()
):
    """The Live page after a set of the prone stretch ended (STOP), the camera off."""
    from types import SimpleNamespace

    from posecheck.coaching.live import SetStats

    spec = load_by_id("prone_internal_rotation")
    stats = SetStats(
        60.0, 30.0, 1, reps, 5, (), (("left", 30.0), ("right", None)),
        None, spec.rom.label if spec.rom else None,
        busy_s=41.6, busy_seen_hz=5.8, busy_wanted_hz=10.0, holds=holds,
    )  # fmt: skip
    done = SimpleNamespace(why="You pressed STOP", spec=spec, stats=stats, summary=None, key="k")
    done.records = ()
    at = page(LIVE)
    at.session_state["live_set"] = SimpleNamespace(
        spec_id=spec.id, model="", proc=None, finished=[done], mirror=True
    )
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_live_set_summary_says_when_the_computer_was_busy() -> None:
    """A finished set whose pose model saw fewer pictures than a replay would: its summary
    says so calmly, with the numbers (posecheck.coaching.live.BusyNote)."""
    at = _finished_set_page()
    assert (
        "For 42 s of this set your computer was busy: it checked about 6 pictures a second "
        "instead of 10, so angles and counts may be a little off."
    ) in texts(at)


def test_the_set_summary_says_the_reps_in_words_whole_and_what_comes_next() -> None:
    """Session 14, walking the app: the summary's Reps said "L 12 · R 12" (in words, "12 left,
    12 right" was cut off as "12 left, 12 ri…" in a 700 px window: the value now wraps, each
    pair kept whole), and after STOP the cue went back to the set-up words."""
    from app_common import METRIC_CSS, metric_words

    at = _finished_set_page((("left", 12), ("right", 12)))
    reps = next(m for m in at.metric if m.label == "Reps")
    assert reps.value == metric_words("12 left, 12 right") == "12\u00a0left, 12\u00a0right"
    assert metric_words("none") == "none" and metric_words("3") == "3"
    assert any("white-space: normal" in h.proto.body for h in at.get("html")), "METRIC_CSS"
    assert "stMetricValue" in METRIC_CSS
    assert "Set done: the summary of your Prone hip internal rotation set is under the camera." in (
        texts(at)
    )
    assert "Set the camera up" not in texts(at)
    empty = _finished_set_page((("left", 0), ("right", 0)))
    assert next(m for m in empty.metric if m.label == "Reps").value == "none"


def test_the_live_set_summary_says_how_far_the_holds_got() -> None:
    """ "Holds completed 0, of 30 s each" said nothing of a set whose holds got to 12 s: the
    live summary gives the longest hold per side, as the replay does (session 14)."""
    from posecheck.coaching.checker import Hold

    holds = (Hold("left", 0.0, 9e3, 8.4, False, 20.0), Hold("right", 9e3, 2e4, 12.2, False, 25.0))
    at = _finished_set_page(holds=holds)
    assert "of 30 s each. Longest hold: left 8 s, right 12 s." in [c.value for c in at.caption]


def pose_model_box(at: AppTest):
    return next(s for s in at.sidebar.selectbox if s.label == "Pose model")


def test_pose_model_choice_is_kept_across_pages_and_a_missing_model_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = page(LIVE)
    box = pose_model_box(at)
    assert box.options == [
        "Full (recommended)",
        "Lite (faster, for a slow computer)",
        "Heavy (about 3x slower; the checks were tuned on Full)",
    ]
    assert box.value == "full" and not at.sidebar.error
    box.set_value("heavy").run()
    at.switch_page(REPLAY).run()
    assert pose_model_box(at).value == "heavy"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "nothing_set_up"))
    at = page(REPLAY)
    errors = [e.value for e in at.sidebar.error]
    assert errors and "the full pose model is not set up" in errors[0]
    assert "make models" in errors[0]


# -- replay review ---------------------------------------------------------------------------


def test_replay_with_no_sample_clips_says_so_and_carries_on() -> None:
    at = page(REPLAY)
    assert any("No sample clips" in i.value for i in at.info)
    assert at.radio(key="source").options == ["Sample clip", "Upload a video or photo"]


def test_replay_broken_upload_shows_a_clear_error() -> None:
    at = page(REPLAY)
    at.radio(key="source").set_value("Upload a video or photo").run()
    uploader = at.file_uploader(key="upload")
    assert "200 MB" in uploader.label
    uploader.set_value(("IMG_0001.heic", b"\x00\x00\x00\x18ftypheic", "image/heic")).run()
    assert any("HEIC photo" in e.value and "JPEG" in e.value for e in at.error)
    uploader = at.file_uploader(key="upload")
    uploader.set_value(("holiday.mp4", b"this is not a video at all", "video/mp4")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "'holiday.mp4'" in errors[0]
    assert "could not be opened" in errors[0] or "no readable frames" in errors[0]
    # The page carries on: the stretch selector is still there, nothing was analysed.
    assert at.selectbox(key="replay_stretch").options
    assert not [b for b in at.button if b.label == "Analyse"]


def _bridge_clip(folder: Path, media: Path, seconds: float) -> Path:
    """``seconds`` of real footage (a bridge, on the back) at 10 fps, in a sample folder."""
    folder.mkdir()
    out = folder / "supine_knee_drop_try.mp4"
    cmd = [ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(media / "bridging.mp4")]
    cmd += ["-t", str(seconds), "-vf", "fps=10", "-c:v", "libx264", "-pix_fmt", "yuv420p"]
    subprocess.run([*cmd, str(out)], check=True, capture_output=True)
    return out


@pytest.fixture
def short_clip(tmp_path: Path, media: Path) -> Path:
    """One second of real footage at 10 fps, in a temporary sample folder."""
    return _bridge_clip(tmp_path / "clips", media, 1.0)


@pytest.mark.mediapipe
def test_replay_analyses_a_sample_clip(short_clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSECHECK_SAMPLE_DIR", str(short_clip.parent))
    at = page(REPLAY)
    assert at.selectbox(key="sample_clip").value == short_clip.name
    # The stretch is guessed from the file name.
    assert at.selectbox(key="replay_stretch").value == "supine_knee_drop"
    next(b for b in at.button if b.label == "Analyse").click().run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    body = texts(at)
    for heading in ("Annotated video", "Timeline", "Fault events", "Export"):
        assert f"#### {heading}" in body
    labels = {b.label for b in at.get("download_button")}
    assert labels == {"Annotated video (MP4)", "Report (JSON)", "Per-frame table (CSV)"}
    slider = next(s for s in at.slider if s.label.startswith("Time (s)"))
    assert slider.max == pytest.approx(0.9)  # seconds, not frames
    # Scrubbing keeps the analysis: nothing is recomputed or lost on rerun.
    slider.set_value(0.5).run()
    assert not at.exception
    assert "#### Timeline" in texts(at)
    assert len(at.session_state["replay_results"]) == 1
    # Words a person uses: no ids, no negative angles, no "for 0.0 s".
    body = texts(at)
    assert ":none" not in body and "for 0.0 s" not in body and " -" not in body
    # The uncertainty is said for both sides (a bare "± 15°" stood under the right one).
    assert "Both sides: give or take" in body
    # Another page and back: the result is still there, no second analysis.
    at.switch_page(LIVE).run()
    at.switch_page(REPLAY).run()
    assert not at.exception
    assert "#### Timeline" in texts(at)
    assert at.selectbox(key="replay_stretch").value == "supine_knee_drop"


@pytest.mark.mediapipe
def test_replay_of_a_clip_with_nobody_in_it_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty room: one plain message, not an empty review that says "no faults"."""
    folder = tmp_path / "clips"
    folder.mkdir()
    clip = folder / "prone_internal_rotation_empty_room.mp4"
    cmd = [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi"]
    cmd += ["-i", "color=c=gray:s=320x240:d=1:r=10", "-c:v", "libx264", "-pix_fmt", "yuv420p"]
    subprocess.run([*cmd, str(clip)], check=True, capture_output=True)
    monkeypatch.setenv("POSECHECK_SAMPLE_DIR", str(folder))
    at = page(REPLAY)
    next(b for b in at.button if b.label == "Analyse").click().run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    assert any("couldn't find anyone in this video" in w.value for w in at.warning)
    body = texts(at)
    assert "#### Timeline" not in body and "No faults were flagged" not in body
    assert not [s for s in at.success if "No faults" in s.value]


@pytest.mark.mediapipe
def test_replay_turns_a_clip_filmed_on_its_side(
    short_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clip whose file does not say the camera was on its side: turned before the analysis
    (the preview shows it turned), and a new clip starts as filmed again."""
    monkeypatch.setenv("POSECHECK_SAMPLE_DIR", str(short_clip.parent))
    at = page(REPLAY)
    assert at.selectbox(key="replay_turn").value == 0
    assert at.get("image")[-1].proto.imgs[0].caption.startswith("The clip's first picture")
    at.selectbox(key="replay_turn").set_value(90).run()
    next(b for b in at.button if b.label == "Analyse").click().run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    (result,) = at.session_state["replay_results"].values()
    source = result.analysis.source
    assert (source.width, source.height) == (480, 640), "turned a quarter: upright picture"
    assert "#### Timeline" in texts(at)
    # Another clip: as filmed again (a turn belongs to the clip it was chosen for).
    other = short_clip.with_name("prone_internal_rotation_try.mp4")
    other.write_bytes(short_clip.read_bytes())
    at = page(REPLAY)
    assert at.selectbox(key="sample_clip").value == other.name  # listed first
    at.selectbox(key="replay_turn").set_value(180).run()
    at.selectbox(key="sample_clip").set_value(short_clip.name).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="replay_turn").value == 0


@pytest.mark.mediapipe
@pytest.mark.parametrize(
    ("stretch", "kept"), [("supine_knee_drop", 1), ("prone_internal_rotation", 0)]
)
def test_replay_keeps_an_analysis_only_of_the_stretch_it_shows(
    media: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stretch: str, kept: int
) -> None:
    """A bridge on the back analysed as the face-down stretch is not saved under it."""
    clip = _bridge_clip(tmp_path / "clips", media, 5.0)
    monkeypatch.setenv("POSECHECK_SAMPLE_DIR", str(clip.parent))
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "data"))
    at = page(REPLAY)
    at.selectbox(key="replay_stretch").set_value(stretch).run()
    next(b for b in at.button if b.label == "Analyse").click().run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    warned = [w.value for w in at.warning if "does not look like" in w.value]
    assert len(warned) == 1 - kept, warned
    if warned:
        assert "It is not saved to your history." in warned[0]
    assert ("Saved to" in texts(at)) == bool(kept)
    store = HistoryStore(tmp_path / "data" / "history.sqlite3")
    assert store.count() == kept
    if warned:  # the offered stretch is chosen and waits for its own analysis
        next(b for b in at.button if b.label == "Analyse as Supine knee drop").click().run()
        assert not at.exception, [e.message for e in at.exception]
        assert at.selectbox(key="replay_stretch").value == "supine_knee_drop"
        assert [b for b in at.button if b.label == "Analyse"]


# -- replay helpers (no Streamlit) -----------------------------------------------------------


def test_sample_clips_are_named_in_words(tmp_path: Path) -> None:
    """The sample-clip chooser says the stretch, what the clip shows and the body, never a
    file name of ids, unless the clip's truth file says nothing usable."""

    def clip(name: str, truth: object | None) -> Path:
        path = tmp_path / f"{name}.mp4"
        path.write_bytes(b"")
        if truth is not None:
            text = truth if isinstance(truth, str) else json.dumps(truth)
            (tmp_path / f"{name}.truth.json").write_text(text)
        return path

    def label(path: Path) -> str:
        return clip_label(path, clip_facts(path), SPECS)

    good = clip("a", {"stretch": "prone_internal_rotation", "faults": [], "body": "female"})
    assert label(good) == "Prone hip internal rotation · good form · female body"
    lifts = {"fault": "hips_lift", "side": "none", "start_s": 1.0, "end_s": 2.0}
    faulty = clip("b", {"stretch": "prone_internal_rotation", "faults": [lifts, lifts]})
    fix = "to fix: Keep your hip bones on the floor."
    assert label(faulty) == f"Prone hip internal rotation · {fix}", "each fault once"
    # A fault the camera view cannot check is named too (the spec's not-checked list).
    rolls = {"fault": "pelvis_rolls_back", "side": "none"}
    unseen = clip("c", {"stretch": "clamshell", "faults": [rolls], "body": "male"})
    assert label(unseen).startswith("Clamshell · to fix: ") and label(unseen).endswith("male body")
    for name, truth in [
        ("no_truth", None),
        ("broken", "{not json"),
        ("unknown_stretch", {"stretch": "handstand", "faults": []}),
        ("unknown_fault", {"stretch": "clamshell", "faults": [{"fault": "spins_round"}]}),
        ("no_stretch", {"faults": []}),
    ]:
        assert label(clip(name, truth)) == f"{name}.mp4", name
    assert all("_" not in label(c) for c in list_clips(REPO / "sample_videos")), (
        "every committed sample clip is named in words"
    )


def test_save_upload_rejects_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a supported video format"):
        save_upload("notes.txt", b"hello", tmp_path)
    with pytest.raises(SourceError, match="is empty"):
        save_upload("empty.mp4", b"", tmp_path)
    with pytest.raises(SourceError, match=r"'broken\.mov'"):
        save_upload("broken.mov", b"\x00" * 1000, tmp_path)
    # An iPhone photo: named, with what to do (the uploader refused it without a word).
    with pytest.raises(SourceError, match=r"'IMG_0001\.HEIC' is an HEIC photo.*JPEG"):
        save_upload("IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic", tmp_path)
    assert list(tmp_path.iterdir()) == [], "a rejected upload must not be kept"


def test_save_upload_keeps_a_good_clip(tmp_path: Path, media: Path) -> None:
    path = save_upload("../../my clip.mp4", (media / "bridging.mp4").read_bytes(), tmp_path)
    assert path.parent == tmp_path and path.name == "my_clip.mp4"
    assert safe_name("../x/..") == "upload"


def test_clip_list_and_stretch_guess(tmp_path: Path) -> None:
    assert list_clips(tmp_path / "missing") == []
    (tmp_path / "b_clip.mp4").write_bytes(b"x")
    (tmp_path / "a_clip.mov").write_bytes(b"x")
    (tmp_path / "being_written.mp4").write_bytes(b"")
    (tmp_path / "notes.json").write_text("{}")
    assert [p.name for p in list_clips(tmp_path)] == ["a_clip.mov", "b_clip.mp4"]
    ids = ["prone_internal_rotation", "supine_knee_drop"]
    assert guess_stretch(tmp_path / "supine_knee_drop_good.mp4", ids) == "supine_knee_drop"
    assert guess_stretch(tmp_path / "prone_ir_good.mp4", ids) == "prone_internal_rotation"
    assert guess_stretch(tmp_path / "holiday.mp4", ids) is None
    (tmp_path / "mystery.truth.json").write_text(json.dumps({"stretch": "supine_knee_drop"}))
    assert guess_stretch(tmp_path / "mystery.mp4", ids) == "supine_knee_drop"


def test_fault_table_side_reads_naturally() -> None:
    # A whole-body fault ("Rest your head on the mat") is recorded with side "none"; the
    # replay's fault table said "both" for it, as if both legs were at fault.
    from posecheck.coaching.wording import side_cell

    assert side_cell("none") == "whole body"
    assert side_cell(None) == "whole body"
    assert side_cell("left") == "Left" and side_cell("right") == "Right"
    page_source = (REPO / REPLAY).read_text(encoding="utf-8")
    assert '"side": side_cell(r.side)' in page_source, "the fault table uses the wording"


def test_longest_hold_says_how_far_each_side_got() -> None:
    from posecheck.coaching.checker import Hold

    def hold(side: str | None, held_s: float) -> Hold:
        return Hold(side, 0.0, held_s * 1000, held_s, held_s >= 30, None)

    holds = [hold("left", 4.4), hold("right", 12.6), hold("left", 9.2), hold("right", 0.4)]
    assert longest_hold_text(holds) == "Longest hold: left 9 s, right 13 s."
    assert longest_hold_text([hold("both", 21.0)]) == "Longest hold: 21 s."
    assert longest_hold_text([hold("left", 0.6)]) == "", "under a second is no hold"
    assert longest_hold_text([hold("left", 7.0), hold("right", 0.3)]) == "Longest hold: left 7 s."
    assert longest_hold_text([]) == ""


def test_frame_at_finds_the_frame_shown_at_a_time_and_clamps() -> None:
    times = [0.0, 100.0, 200.0, 2500.0, 2550.0]  # a pause: variable frame rate
    assert frame_at(0.15, times) == 1
    assert frame_at(2.4, times) == 2  # not round(2.4 s x the average rate)
    assert frame_at(2.5, times) == 3
    assert frame_at(-1.0, times) == 0
    assert frame_at(99.0, times) == 4
    assert frame_at(1.0, []) == 0


def test_the_frame_read_for_a_time_is_the_frame_analysed_on_a_variable_rate_clip(
    tmp_path: Path,
) -> None:
    """read_frame seeks by time through the analysis's own decoding: on a clip with a pause
    (phones record at a variable rate, with B-frames) every record's time shows that very
    frame. Reading by frame number through OpenCV was off by one and drifted."""
    from tests.clips import sample_frames, write_clip

    frames = sample_frames(24)
    for i, f in enumerate(frames):  # a white tile marks each frame
        f[:24, 24 * i : 24 * (i + 1)] = 255
    times = [i * 33.0 for i in range(12)] + [2500.0 + i * 50 for i in range(12)]
    clip = write_clip(tmp_path / "vfr.mp4", frames, times_ms=times)
    analysed = list(VideoSource(clip).frames())

    def tile(image: np.ndarray) -> int:  # which frame's tile (image is RGB or BGR)
        return int(np.argmax([image[:24, 24 * i : 24 * (i + 1)].mean() for i in range(24)]))

    assert [tile(f.image) for f in analysed] == list(range(24))
    for i in (0, 1, 5, 11, 12, 13, 17, 23, 6, 0):  # back and forth, as a person scrubs
        shown = read_frame(clip, analysed[i].t_ms)
        assert shown is not None and tile(shown) == i, i
    assert tile(read_frame(clip, 1500.0)) == 11  # in the pause: the last frame before it
    assert read_frame(clip, 60_000.0) is None and read_frame(clip, -5.0) is None


@pytest.mark.mediapipe
def test_chart_rows_and_frames_from_a_real_analysis(short_clip: Path, tmp_path: Path) -> None:
    spec = load_by_id("supine_knee_drop")
    out = tmp_path / "annotated.mp4"
    done: list[tuple[int, int]] = []
    a = analyze_video(
        short_clip,
        spec,
        annotate_to=out,
        draw=annotate_step,
        progress=lambda d, t: done.append((d, t)),
    )
    assert done[-1][0] == len(a.records) == 10
    rows = rom_rows(a)
    assert all(r["side"] in ("left", "right") and isinstance(r["rom_deg"], float) for r in rows)
    assert [r["t_s"] for r in rows] == sorted(r["t_s"] for r in rows)
    for row, iv in zip(fault_rows(a), fault_intervals(a), strict=True):
        assert 0 <= row.frame_index < len(a.records)
        assert iv["end_s"] > iv["start_s"]
    img = read_frame(out, a.records[5].t_ms)
    assert img is not None and img.shape == (a.source.height, a.source.width, 3)
    assert read_frame(out, 1e7) is None


@pytest.mark.mediapipe
def test_replay_says_when_a_clip_is_cut_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.clips import sample_frames, write_clip

    clips = tmp_path / "clips"
    clips.mkdir()
    whole = write_clip(tmp_path / "whole.mp4", sample_frames(40), fps=10, faststart=True)
    cut = clips / "prone_internal_rotation_cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 3 // 4])
    monkeypatch.setenv("POSECHECK_SAMPLE_DIR", str(clips))
    at = page(REPLAY)
    next(b for b in at.button if b.label == "Analyse").click().run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("About this video: the file ends early") for w in warnings)


@pytest.mark.mediapipe
def test_replay_shows_the_camera_message_from_its_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stub stands in for the camera estimated from the body (the lead wires the real one):
    its words appear in a calm box beside the results."""
    import posecheck.review.analysis
    import posecheck.review.report
    from tests.clips import sample_frames, write_clip

    clips = tmp_path / "clips"
    clips.mkdir()
    write_clip(clips / "prone_internal_rotation_x.mp4", sample_frames(20), fps=10)
    monkeypatch.setenv("POSECHECK_SAMPLE_DIR", str(clips))
    words = "Move the camera about a metre to your left."
    monkeypatch.setattr(posecheck.review.analysis, "replay_camera_message", lambda a: words)
    where = "about 45 degrees round to your left from beyond your feet, give or take 10 degrees"
    monkeypatch.setattr(
        posecheck.review.report, "camera_dict", lambda estimate, spec: {"words": where}
    )
    at = page(REPLAY)
    next(b for b in at.button if b.label == "Analyse").click().run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    assert words in [i.value for i in at.info]
    assert words not in [w.value for w in at.warning]
    # where the camera stood, with its uncertainty, in words (issue #12: on screen)
    assert f"Where the camera stood, read from your body: {where}." in texts(at)


def test_the_replay_page_finds_the_repositorys_sample_clips(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After the wings move it looked in posecheck/sample_videos and said there were none."""
    from posecheck.review.timeline import list_clips, sample_dir

    monkeypatch.delenv("POSECHECK_SAMPLE_DIR", raising=False)
    assert sample_dir() == REPO / "sample_videos"
    assert list_clips(sample_dir())


@pytest.mark.mediapipe
def test_replay_photo_sitting_on_the_floor_is_not_taken_for_the_reclined_hero(media: Path) -> None:
    """A real photo of a woman sitting on the floor, knees up and apart, fits no stretch's
    look (it once read as the reclined hero, which lies back): the page asks which stretch,
    and the question goes once one is chosen."""
    at = page(REPLAY)
    at.radio(key="source").set_value("Upload a video or photo").run()
    data = (media / "seated_floor.jpg").read_bytes()
    at.file_uploader(key="upload").set_value(("IMG_0042.jpg", data, "image/jpeg")).run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    assert "Chosen from what the photo shows" not in texts(at)
    assert any("Which stretch is in this photo?" in i.value for i in at.info)
    at.selectbox(key="replay_stretch").set_value("seated_butterfly").run(timeout=120)
    assert not [i for i in at.info if "Which stretch" in i.value]
    assert any(w.value.startswith("Not in position") for w in at.warning)


@pytest.mark.mediapipe
def test_replay_photo_whose_name_says_nothing_takes_the_stretch_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo named by the phone: the stretch is read from the picture (else asked), the
    pose is found once however many stretches it is judged as, and a photo that looks like
    another stretch offers it. The photo: the middle picture of the committed sample clip of the
    reclined hero, saved as a phone would name it."""
    import cv2

    import posecheck.review.photo as photo

    runs: list[str] = []
    real = photo.estimate_photo

    def counted(path: object, **kw: object) -> object:
        runs.append(str(path))
        return real(path, **kw)

    monkeypatch.setattr(photo, "estimate_photo", counted)
    video = cv2.VideoCapture(str(REPO / "sample_videos" / "reclined_hero_good_female.mp4"))
    video.set(cv2.CAP_PROP_POS_FRAMES, int(video.get(cv2.CAP_PROP_FRAME_COUNT)) // 2)
    found, picture = video.read()
    video.release()
    assert found
    data = cv2.imencode(".jpg", picture)[1].tobytes()
    at = page(REPLAY)
    at.radio(key="source").set_value("Upload a video or photo").run()
    at.file_uploader(key="upload").set_value(("IMG_0042.jpg", data, "image/jpeg")).run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="replay_stretch").value == "reclined_hero"
    assert "Chosen from what the photo shows: Reclined hero." in texts(at)
    # Whole-body angles: no side column (its "-" showed as a list bullet).
    assert list(at.table[0].value.columns) == ["what", "angle"]
    assert not [i for i in at.info if "Which stretch" in i.value]
    # Judged as the figure four (done lying down): not in position, the reclined hero offered,
    # one estimator run.
    at.selectbox(key="replay_stretch").set_value("figure_four").run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    assert "Chosen from what the photo shows" not in texts(at)
    assert any(w.value.startswith("Not in position") for w in at.warning)
    assert any("looks more like: Reclined hero" in i.value for i in at.info)
    assert set(at.table[0].value["side"]) == {"Left", "Right"}
    assert len(runs) == 1, runs
    # "Sit up tall; lift your chest (it is measured ...)": no full stop before the reason.
    assert ". (" not in texts(at)
    next(b for b in at.button if b.label == "Analyse as Reclined hero").click().run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="replay_stretch").value == "reclined_hero"
    assert len(runs) == 1, runs


def test_replay_photo_that_cannot_be_analysed_says_so_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pose model fails on a photo: one message, and no second try on every rerun."""
    import cv2

    import posecheck.review.photo as photo
    from posecheck.errors import EstimatorError

    runs: list[str] = []

    def broken(path: object, **kw: object) -> object:
        runs.append(str(path))
        raise EstimatorError("the pose model file is damaged; run 'make models' again.")

    monkeypatch.setattr(photo, "estimate_photo", broken)
    _, jpg = cv2.imencode(".jpg", np.full((120, 160, 3), 180, np.uint8))
    at = page(REPLAY)
    at.radio(key="source").set_value("Upload a video or photo").run()
    at.file_uploader(key="upload").set_value(("IMG_0044.jpg", jpg.tobytes(), "image/jpeg")).run()
    assert not at.exception, [e.message for e in at.exception]
    errors = [e.value for e in at.error]
    assert errors == [
        "This photo could not be analysed. the pose model file is damaged; run 'make models' again."
    ]
    at.selectbox(key="replay_stretch").set_value("pigeon").run()
    assert not at.exception and len(at.error) == 1 and len(runs) == 1, runs


def test_replay_keeps_no_copy_of_an_upload_it_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    import cv2

    import posecheck.review.photo as photo
    from posecheck.errors import EstimatorError

    def no_model(path: object, **kw: object) -> object:
        raise EstimatorError("no pose model in this test")

    monkeypatch.setattr(photo, "estimate_photo", no_model)
    _, jpg = cv2.imencode(".jpg", np.full((120, 160, 3), 180, np.uint8))
    at = page(REPLAY)
    at.radio(key="source").set_value("Upload a video or photo").run()
    at.file_uploader(key="upload").set_value(("pigeon_1.jpg", jpg.tobytes(), "image/jpeg")).run()
    first = Path(at.session_state["upload_path"])
    assert first.is_file()
    at.file_uploader(key="upload").set_value(("pigeon_2.jpg", jpg.tobytes()[:-1], "image/jpeg"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    second = Path(at.session_state["upload_path"])
    assert second.is_file() and not first.exists(), "the replaced upload's copy is deleted"
    # A broken upload after a good one: the good one's copy goes too (it is no longer used).
    at.file_uploader(key="upload").set_value(("pigeon_3.jpg", b"not a photo", "image/jpeg"))
    at.run()
    assert any("pigeon_3.jpg" in e.value for e in at.error)
    assert not second.exists() and list(second.parent.iterdir()) == []


@pytest.mark.mediapipe
def test_replay_photo_of_no_stretch_asks_which_one(media: Path) -> None:
    at = page(REPLAY)
    at.radio(key="source").set_value("Upload a video or photo").run()
    data = (media / "standing.jpeg").read_bytes()
    at.file_uploader(key="upload").set_value(("IMG_0043.jpeg", data, "image/jpeg")).run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    assert any("Which stretch is in this photo?" in i.value for i in at.info)
    assert "Chosen from what the photo shows" not in texts(at)
    other = next(i for i in SPECS if i != at.selectbox(key="replay_stretch").value)
    at.selectbox(key="replay_stretch").set_value(other).run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    assert not [i for i in at.info if "Which stretch" in i.value], "answered by the choice"
