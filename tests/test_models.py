"""The pose model files: a missing, damaged or wrong model is one clear line; the builder's
metadata says what the models need; a bundle it writes runs."""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from posecheck.errors import EstimatorError
from posecheck.pose.estimator import models
from posecheck.pose.estimator.models import (
    BUNDLE_MEMBERS,
    ModelFile,
    check_model_file,
    models_dir,
    resolve_model,
    task_filename,
)


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user data folder, and no POSECHECK_MODEL."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(models.ENV_MODEL, raising=False)
    return tmp_path / "data"


def installed_full() -> Path:
    """The full model the set-up built (the tests never build from the network)."""
    path = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share")
    path = path / "posecheck" / "models" / task_filename("full")
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make models` before the tests")
    return path


@pytest.fixture(scope="module")
def real_full() -> Path:
    return installed_full()


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_model_names_and_paths_resolve(data_home: Path, monkeypatch: pytest.MonkeyPatch):
    assert resolve_model(None).path == data_home / "posecheck/models/pose_landmarker_full.task"
    assert resolve_model("heavy").name == "heavy"
    own = resolve_model("~/mine.task")
    assert own.name is None and own.path == Path.home() / "mine.task"
    assert own.label == "your own (mine.task)"
    monkeypatch.setenv(models.ENV_MODEL, "lite")
    assert resolve_model(None).name == "lite"
    with pytest.raises(EstimatorError, match=r"unknown pose model 'medium': choose lite, full"):
        resolve_model("medium")


def test_a_model_not_set_up_names_the_set_up_command(data_home: Path):
    with pytest.raises(EstimatorError) as err:
        check_model_file(resolve_model("full"))
    assert str(err.value) == (
        f"the full pose model is not set up ({models_dir() / 'pose_landmarker_full.task'}): "
        "run `make models` (part of the README's set-up)"
    )


def test_a_damaged_model_fails_its_checksum(data_home: Path, real_full: Path):
    folder = models_dir()
    folder.mkdir(parents=True)
    copy = folder / real_full.name
    shutil.copyfile(real_full, copy)
    shutil.copyfile(real_full.parent / models.MANIFEST, folder / models.MANIFEST)
    check_model_file(resolve_model("full"))  # intact: fine
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(EstimatorError, match=r"is damaged \(checksum differs\): run `make models`"):
        check_model_file(resolve_model("full"))
    (folder / models.MANIFEST).unlink()
    with pytest.raises(EstimatorError, match=r"has no checksum in manifest\.json"):
        check_model_file(resolve_model("full"))


def test_a_model_for_another_task_is_named(tmp_path: Path):
    hand = write_zip(
        tmp_path / "hand_landmarker.task",
        {"hand_detector.tflite": b"x", "hand_landmarks_detector.tflite": b"y"},
    )
    with pytest.raises(EstimatorError) as err:
        check_model_file(resolve_model(str(hand)))
    assert str(err.value) == (
        f"{hand} is not a pose landmarker model (it holds hand_detector.tflite, "
        "hand_landmarks_detector.tflite; a pose model holds pose_detector.tflite and "
        "pose_landmarks_detector.tflite): give a pose landmarker .task file"
    )
    text = tmp_path / "notes.task"
    text.write_text("not a model")
    with pytest.raises(EstimatorError, match=r"notes.task is not a MediaPipe .task model file"):
        check_model_file(resolve_model(str(text)))
    with pytest.raises(EstimatorError, match=r"no pose model at .*absent.task: check the path"):
        check_model_file(resolve_model(str(tmp_path / "absent.task")))


def test_cli_bad_model_is_one_line_and_exit_2(media: Path, tmp_path: Path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "empty")}
    env.pop(models.ENV_MODEL, None)
    clip = str(media / "bridging.mp4")
    cases = {
        (): "the full pose model is not set up",
        ("--model", "heavy"): "the heavy pose model is not set up",
        ("--model", "huge"): "unknown pose model 'huge'",
        ("--model", str(write_zip(tmp_path / "w.task", {"a.tflite": b"1"}))): "not a pose",
    }
    for extra, expected in cases.items():
        proc = subprocess.run(
            [sys.executable, "-m", "posecheck", "analyze", clip, "--stretch", "clamshell", *extra],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 2, (extra, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("posecheck: "), proc.stderr
        assert expected in lines[0]


def fake_npm_tarball(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_sources_are_checked_against_the_pinned_checksums(tmp_path: Path):
    loader = b'{"filename": "/x/pose_detection.tflite", "start": 0, "end": 4}'
    files = {f"pose_landmark_{n}.tflite": b"model" for n in models.MODEL_NAMES}
    files["pose_solution_packed_assets_loader.js"] = loader
    files["pose_solution_packed_assets.data"] = b"detector"
    tarball = fake_npm_tarball(tmp_path / "pose.tgz", files)
    with pytest.raises(EstimatorError, match=r"pose_landmark_lite.tflite in .* differs from"):
        models.read_sources(tarball)
    del files["pose_solution_packed_assets.data"]
    with pytest.raises(EstimatorError, match=r"is not the @mediapipe/pose package"):
        models.read_sources(fake_npm_tarball(tmp_path / "short.tgz", files))


def normalisation(tflite: bytes) -> tuple[list[float], list[float]]:
    from mediapipe.tasks.metadata import metadata_schema_py_generated as md
    from mediapipe.tasks.metadata import schema_py_generated as tfl

    model = tfl.Model.GetRootAsModel(tflite, 0)
    for i in range(model.MetadataLength()):
        if model.Metadata(i).Name() == b"TFLITE_METADATA":
            raw = model.Buffers(model.Metadata(i).Buffer()).DataAsNumpy().tobytes()
            meta = md.ModelMetadataT.InitFromObj(md.ModelMetadata.GetRootAsModelMetadata(raw, 0))
            opts = meta.subgraphMetadata[0].inputTensorMetadata[0].processUnits[0].options
            return list(opts.mean), list(opts.std)
    raise AssertionError("no TFLITE_METADATA")


@pytest.mark.mediapipe
def test_built_models_carry_the_input_normalisation(real_full: Path):
    with zipfile.ZipFile(real_full) as z:
        assert z.namelist() == list(BUNDLE_MEMBERS)
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
        detector, landmarks = (z.read(n) for n in BUNDLE_MEMBERS)
    assert normalisation(detector) == ([127.5], [127.5])  # pixels to [-1, 1]
    assert normalisation(landmarks) == ([0.0], [255.0])  # pixels to [0, 1]


@pytest.mark.mediapipe
def test_a_rebuilt_bundle_is_aligned_and_finds_the_pose(
    real_full: Path, tmp_path: Path, media: Path
):
    from posecheck.media.source import VideoSource
    from posecheck.pose.estimator import TasksPoseEstimator

    with zipfile.ZipFile(real_full) as z:
        detector, landmarks = (z.read(n) for n in BUNDLE_MEMBERS)
    out = tmp_path / "rebuilt.task"
    models.write_bundle(
        out,
        {
            BUNDLE_MEMBERS[0]: models.with_image_metadata(detector, 127.5, 127.5, "d"),
            BUNDLE_MEMBERS[1]: models.with_image_metadata(landmarks, 0.0, 255.0, "l"),
        },
    )
    raw = out.read_bytes()
    with zipfile.ZipFile(out) as z:
        for info in z.infolist():
            name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
            assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0, info.filename
    expected = json.loads((media / "pose.expected.json").read_text())
    frame = next(VideoSource(media / "pose.jpg").frames())
    with TasksPoseEstimator(still_images=True, model=str(out)) as estimator:
        pose = estimator.estimate(frame).pose
    assert pose is not None
    error = np.abs(pose.image_xy - np.array(expected["image_px"])).max()
    assert error <= expected["image_tolerance_px"]


@pytest.mark.mediapipe
def test_a_bundle_with_broken_models_is_a_clear_error(tmp_path: Path):
    from posecheck.pose.estimator import TasksPoseEstimator

    broken = write_zip(tmp_path / "broken.task", dict.fromkeys(BUNDLE_MEMBERS, b"\0" * 64))
    with pytest.raises(EstimatorError, match=r"broken.task could not be loaded as a pose model"):
        TasksPoseEstimator(model=str(broken))


def test_status_reports_each_model(data_home: Path):
    states = models.status()
    assert set(states) == set(models.MODEL_NAMES)
    assert all("not set up" in s for s in states.values())
    assert ModelFile(Path("x.task"), None, None).label == "your own (x.task)"
