"""The house rules that a reviewer would otherwise have to check by eye.

- Only ``posecheck/pose/estimator/`` imports mediapipe; nothing under ``posecheck/`` imports
  streamlit.
- Wings import only the wings below them (../shared/ARCHITECTURE.md): the base modules
  (errors, outputs, quiet) < media < pose < body < specs < coaching < review. The faces left in
  the flat top level (cli, overlay, ``__main__``) sit above every wing, so no wing imports them:
  whoever shows frames draws the overlay (the app's pages, the CLI's annotated video).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "posecheck"
BASE = {"posecheck", "posecheck.errors", "posecheck.outputs", "posecheck.quiet"}
WINGS = ["media", "pose", "body", "specs", "coaching", "review"]
FACES = {"posecheck.cli", "posecheck.overlay", "posecheck.__main__"}


def _modules() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _rank(module: str) -> int:
    """0 for the base, 1.. for the wings in order, a large number for the flat top level."""
    head = ".".join(module.split(".")[:2])  # posecheck.errors.SpecError -> posecheck.errors
    if head in BASE:
        return 0
    wing = head.partition(".")[2]
    return 1 + WINGS.index(wing) if wing in WINGS else 99


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def test_the_rules_see_every_module() -> None:
    names = {_module_name(p) for p in _modules()}
    assert "posecheck.pose.estimator" in names
    assert "posecheck.specs.schema" in names
    assert _rank("posecheck.errors.SpecError") == 0
    assert _rank("posecheck.coaching.checker.Summary") > _rank("posecheck.specs.metrics.Speed") > 0
    assert _rank("posecheck.review.analysis") > _rank("posecheck.coaching.pipeline")
    assert _rank("posecheck.overlay.annotate") > _rank("posecheck.review.report")


def test_only_the_faces_are_left_flat() -> None:
    """Every module lives in a wing, except the base modules and the faces."""
    flat = {_module_name(p) for p in _modules() if p.parent == ROOT}
    assert flat <= BASE | FACES, f"move {sorted(flat - BASE - FACES)} into a wing"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_import_rules(path: Path) -> None:
    imports = _imports(path)
    top = {name.split(".")[0] for name in imports}
    assert "streamlit" not in top, f"{path}: streamlit belongs in app.py/app_common.py/app_pages"
    if "mediapipe" in top:
        assert path.parent.name == "estimator", f"{path}: only the estimator imports mediapipe"
    own = _rank(_module_name(path))
    if own == 99:
        return
    for name in imports:
        if name.split(".")[0] == "posecheck":
            assert _rank(name) <= own, (
                f"{path} imports {name}, which sits above it; move the shared part down a wing"
            )
