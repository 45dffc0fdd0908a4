"""The pose model files: where they live, checking them, and building them at set-up.

MediaPipe's Tasks ``PoseLandmarker`` reads a ``.task`` file: a zip holding
``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``. posecheck builds one per
landmark model (``lite``, ``full``, ``heavy``) at set-up, never at run time, from the npm
package ``@mediapipe/pose`` (Apache-2.0), fetched by ``npm pack`` from the npm registry:

- the package ships ``pose_landmark_{lite,full,heavy}.tflite``, and the person detector
  ``pose_detection.tflite`` packed inside ``pose_solution_packed_assets.data`` (its byte
  range is written in ``pose_solution_packed_assets_loader.js``);
- every source file is checked against the SHA-256 below before it is used;
- the Tasks API needs TFLite metadata saying how to normalise the input image (detector:
  mean 127.5, std 127.5, so pixels map to [-1, 1]; landmark model: mean 0, std 255, so
  [0, 1]); it is added here with the flatbuffer schemas that ship inside mediapipe;
- the two models are zipped, stored uncompressed and 64-byte aligned so TFLite can map them.

The results go to ``$XDG_DATA_HOME/posecheck/models`` (default ``~/.local/share/...``) with a
``manifest.json`` of their checksums and the licence. At run time :func:`resolve_model`
finds a file, and :func:`check_model_file` checks it (checksum against the manifest, or for a
file the user brings through ``POSECHECK_MODEL``, that it is a pose landmarker bundle).

    python -m posecheck.pose.estimator build [--tarball pose.tgz]   # run by `make models`
    python -m posecheck.pose.estimator status
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from posecheck.errors import EstimatorError

MODEL_NAMES = ("lite", "full", "heavy")
DEFAULT_MODEL = "full"
ENV_MODEL = "POSECHECK_MODEL"
NPM_PACKAGE = "@mediapipe/pose"
NPM_VERSION = "0.5.1675469404"
LICENSE_NAME = "Apache-2.0"
BUNDLE_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
MANIFEST = "manifest.json"
# SHA-256 of the files inside @mediapipe/pose 0.5.1675469404.
SOURCE_SHA256 = {
    "pose_landmark_lite.tflite": (
        "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"
    ),
    "pose_landmark_full.tflite": (
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f"
    ),
    "pose_landmark_heavy.tflite": (
        "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe"
    ),
    "pose_detection.tflite": "a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85",
}
# Input normalisation the models were trained with: (mean, std), pixel -> (pixel - mean) / std.
DETECTOR_NORM = (127.5, 127.5)
LANDMARKS_NORM = (0.0, 255.0)
_ALIGN = 64
_SETUP_HINT = "run `make models` (part of the README's set-up)"


def models_dir() -> Path:
    """Where the built models are kept: ``$XDG_DATA_HOME/posecheck/models``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "posecheck" / "models"


def task_filename(name: str) -> str:
    return f"pose_landmarker_{name}.task"


@dataclass(frozen=True)
class ModelFile:
    """A resolved model: its path, its short name (``full``) or None for the user's own file,
    and the checksum recorded when it was built (None for the user's own file)."""

    path: Path
    name: str | None
    sha256: str | None

    @property
    def label(self) -> str:
        return self.name or f"your own ({self.path.name})"


def resolve_model(model: str | os.PathLike[str] | None = None) -> ModelFile:
    """A model name (``lite``, ``full``, ``heavy``) or a path to a ``.task`` file.

    ``None`` means ``$POSECHECK_MODEL`` if set, otherwise ``full``. Does not read the file.
    """
    if model is None:
        model = os.environ.get(ENV_MODEL) or DEFAULT_MODEL
    text = os.fspath(model)
    if text in MODEL_NAMES:
        path = models_dir() / task_filename(text)
        return ModelFile(path, text, _manifest_sha256(path))
    if text.endswith(".task") or os.sep in text:
        return ModelFile(Path(text).expanduser(), None, None)
    raise EstimatorError(
        f"unknown pose model {text!r}: choose {', '.join(MODEL_NAMES)} "
        "or give the path of a pose landmarker .task file"
    )


def _manifest_sha256(path: Path) -> str | None:
    try:
        files = json.loads((path.parent / MANIFEST).read_text())["files"]
        return str(files[path.name])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_model_file(model: ModelFile) -> None:
    """Raise :class:`EstimatorError` with one clear line if ``model`` is missing, damaged or
    not a pose landmarker bundle. Cheap enough to run every time a model is loaded."""
    path = model.path
    if not path.is_file():
        if model.name is not None:
            raise EstimatorError(
                f"the {model.name} pose model is not set up ({path}): {_SETUP_HINT}"
            )
        raise EstimatorError(
            f"no pose model at {path}: check the path given ({ENV_MODEL}, --model)"
        )
    if model.name is not None:
        if model.sha256 is None:
            raise EstimatorError(
                f"the pose model {path} has no checksum in {MANIFEST}: {_SETUP_HINT} to rebuild it"
            )
        if _sha256(path) != model.sha256:
            raise EstimatorError(
                f"the pose model {path} is damaged (checksum differs): {_SETUP_HINT}"
            )
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
            bad = bundle.testzip()
    except (OSError, zipfile.BadZipFile) as exc:
        raise EstimatorError(
            f"{path} is not a MediaPipe .task model file ({exc}): {_fix_hint(model)}"
        ) from exc
    if not set(BUNDLE_MEMBERS) <= names:
        found = ", ".join(sorted(names)) or "nothing"
        raise EstimatorError(
            f"{path} is not a pose landmarker model (it holds {found}; a pose model holds "
            f"{' and '.join(BUNDLE_MEMBERS)}): {_fix_hint(model)}"
        )
    if bad is not None:
        raise EstimatorError(f"{path} is damaged ({bad} fails its check): {_fix_hint(model)}")


def _fix_hint(model: ModelFile) -> str:
    return _SETUP_HINT if model.name is not None else "give a pose landmarker .task file"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def status(out_dir: Path | None = None) -> dict[str, str]:
    """Each model name -> ``ok`` or the reason it cannot be used."""
    out = {}
    for name in MODEL_NAMES:
        path = (out_dir or models_dir()) / task_filename(name)
        try:
            check_model_file(ModelFile(path, name, _manifest_sha256(path)))
            out[name] = "ok"
        except EstimatorError as exc:
            out[name] = str(exc)
    return out


# -- building (set-up only) ------------------------------------------------------------------


def npm_pack(dest: Path) -> Path:
    """Fetch the pinned ``@mediapipe/pose`` tarball with npm (it checks the registry's
    integrity hash). Returns the tarball's path."""
    npm = shutil.which("npm")
    if npm is None:
        raise EstimatorError(
            "npm is needed once to fetch the pose model package: install it "
            "(Debian: apt-get install npm) or pass --tarball with `npm pack "
            f"{NPM_PACKAGE}@{NPM_VERSION}`'s file"
        )
    spec = f"{NPM_PACKAGE}@{NPM_VERSION}"
    done = subprocess.run(
        [npm, "pack", spec, "--silent", "--pack-destination", str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise EstimatorError(f"`npm pack {spec}` failed: {last}")
    return dest / done.stdout.strip().splitlines()[-1]


def read_sources(tarball: Path) -> dict[str, bytes]:
    """The four model files from the npm tarball, each checked against its SHA-256."""
    try:
        with tarfile.open(tarball) as tar:

            def member(name: str) -> bytes:
                f = tar.extractfile(f"package/{name}")
                if f is None:
                    raise KeyError(name)
                return f.read()

            out = {n: member(n) for n in SOURCE_SHA256 if n != "pose_detection.tflite"}
            loader = member("pose_solution_packed_assets_loader.js").decode()
            packed = member("pose_solution_packed_assets.data")
    except (OSError, KeyError, tarfile.TarError) as exc:
        raise EstimatorError(f"{tarball} is not the {NPM_PACKAGE} package: {exc}") from exc
    hit = re.search(r'pose_detection\.tflite",\s*"start":\s*(\d+),\s*"end":\s*(\d+)', loader)
    if hit is None:
        raise EstimatorError(f"{tarball}: no pose_detection.tflite in the packed-assets loader")
    out["pose_detection.tflite"] = packed[int(hit[1]) : int(hit[2])]
    for name, data in out.items():
        if hashlib.sha256(data).hexdigest() != SOURCE_SHA256[name]:
            raise EstimatorError(
                f"{name} in {tarball} differs from {NPM_PACKAGE}@{NPM_VERSION}'s (checksum)"
            )
    return out


def with_image_metadata(model: bytes, mean: float, std: float, name: str) -> bytes:
    """``model`` with TFLite metadata naming its input an RGB image normalised as
    ``(pixel - mean) / std`` (what the Tasks API needs to feed it)."""
    import flatbuffers  # noqa: PLC0415  (set-up only)
    from mediapipe.tasks.metadata import metadata_schema_py_generated as md  # noqa: PLC0415
    from mediapipe.tasks.metadata import schema_py_generated as tfl  # noqa: PLC0415

    class AlignedBuilder(flatbuffers.Builder):
        """Aligns large byte vectors (weights) so TFLite can use them in place."""

        def StartVector(self, elemSize: int, numElems: int, alignment: int) -> int:
            if elemSize == 1 and numElems >= _ALIGN:
                alignment = max(alignment, _ALIGN)
            return super().StartVector(elemSize, numElems, alignment)

    model_t = tfl.ModelT.InitFromObj(tfl.Model.GetRootAsModel(model, 0))
    graph = model_t.subgraphs[0]

    image = md.TensorMetadataT()
    image.name = "image"
    image.content = md.ContentT()
    image.content.contentPropertiesType = md.ContentProperties.ImageProperties
    image.content.contentProperties = md.ImagePropertiesT()
    image.content.contentProperties.colorSpace = md.ColorSpaceType.RGB
    norm = md.ProcessUnitT()
    norm.optionsType = md.ProcessUnitOptions.NormalizationOptions
    norm.options = md.NormalizationOptionsT()
    norm.options.mean, norm.options.std = [mean], [std]
    image.processUnits = [norm]
    image.stats = md.StatsT()
    image.stats.min, image.stats.max = [(0.0 - mean) / std], [(255.0 - mean) / std]
    outputs = []
    for index in graph.outputs:
        tensor = md.TensorMetadataT()
        tensor.name = graph.tensors[index].name.decode()
        outputs.append(tensor)
    subgraph = md.SubGraphMetadataT()
    subgraph.inputTensorMetadata, subgraph.outputTensorMetadata = [image], outputs
    meta = md.ModelMetadataT()
    meta.name = name
    meta.description = f"From {NPM_PACKAGE}@{NPM_VERSION} ({LICENSE_NAME}); metadata by posecheck."
    meta.license = LICENSE_NAME
    meta.minParserVersion = "1.0.0"
    meta.subgraphMetadata = [subgraph]
    builder = flatbuffers.Builder(0)
    builder.Finish(meta.Pack(builder), b"M001")

    buffer = tfl.BufferT()
    buffer.data = bytes(builder.Output())
    model_t.buffers.append(buffer)
    entry = tfl.MetadataT()
    entry.name = "TFLITE_METADATA"
    entry.buffer = len(model_t.buffers) - 1
    model_t.metadata = [m for m in model_t.metadata or [] if m.name != b"TFLITE_METADATA"]
    model_t.metadata.append(entry)
    out = AlignedBuilder(0)
    out.Finish(model_t.Pack(out), b"TFL3")
    return bytes(out.Output())


def write_bundle(path: Path, members: dict[str, bytes]) -> None:
    """A ``.task`` zip: members stored uncompressed at 64-byte aligned offsets, fixed dates
    (so the same input gives the same bytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as bundle:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            header_end = bundle.fp.tell() + 30 + len(name.encode()) + 4  # type: ignore[union-attr]
            pad = -header_end % _ALIGN
            info.extra = (0xD935).to_bytes(2, "little") + pad.to_bytes(2, "little") + bytes(pad)
            bundle.writestr(info, data)


def build(out_dir: Path, tarball: Path | None = None, *, force: bool = False) -> list[str]:
    """Build every model into ``out_dir`` unless all are there and intact. Returns lines to
    print."""
    if not force and all(v == "ok" for v in status(out_dir).values()):
        return [f"pose models up to date in {out_dir}"]
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="posecheck-models-") as tmp:
        sources = read_sources(tarball or npm_pack(Path(tmp)))
        detector = with_image_metadata(
            sources["pose_detection.tflite"], *DETECTOR_NORM, "BlazePose detector"
        )
        files: dict[str, str] = {}
        for name in MODEL_NAMES:
            landmarks = with_image_metadata(
                sources[f"pose_landmark_{name}.tflite"], *LANDMARKS_NORM, f"BlazePose {name}"
            )
            final = out_dir / task_filename(name)
            part = final.with_suffix(".part")
            write_bundle(part, dict(zip(BUNDLE_MEMBERS, (detector, landmarks), strict=True)))
            files[final.name] = _sha256(part)
            part.replace(final)
    manifest = {
        "source": f"npm {NPM_PACKAGE}@{NPM_VERSION}",
        "license": LICENSE_NAME,
        "files": files,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    _write_license(out_dir)
    return [f"built {', '.join(files)} in {out_dir}"]


def _write_license(out_dir: Path) -> None:
    notice = (
        f"The pose models in this folder are built by posecheck from the npm package\n"
        f"{NPM_PACKAGE}@{NPM_VERSION} (MediaPipe, Copyright Google LLC), licensed under the\n"
        f"Apache License, Version 2.0 ({LICENSE_NAME}): "
        "http://www.apache.org/licenses/LICENSE-2.0\n\n"
        "Changes: TFLite metadata describing the input image normalisation was added to\n"
        "pose_detection.tflite and pose_landmark_{lite,full,heavy}.tflite, and each landmark\n"
        "model was zipped with the detector as a MediaPipe Tasks .task bundle.\n"
    )
    full_text = Path("/usr/share/common-licenses/Apache-2.0")
    if full_text.is_file():
        notice += "\n" + full_text.read_text()
    (out_dir / "LICENSE.txt").write_text(notice)
