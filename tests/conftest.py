from collections.abc import Iterator
from pathlib import Path

import pytest

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"


@pytest.fixture(scope="session")
def media() -> Path:
    """Real footage, read in place from ../shared/media (never copied into the project)."""
    if not MEDIA.is_dir():
        pytest.fail(f"{MEDIA} is missing: the tests need the shared media folder beside the repo")
    return MEDIA


@pytest.fixture(scope="session", autouse=True)
def private_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Tests (and the app servers they start) save their history in a temporary folder,
    never in the data folder of the person running them."""
    folder = tmp_path_factory.mktemp("history")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POSECHECK_DATA_DIR", str(folder))
        yield folder


@pytest.fixture
def exact_depth(monkeypatch: pytest.MonkeyPatch) -> None:
    """Synthetic bodies' world landmarks have exact depth: run without the postures' fixed
    depth factors of ``posecheck.body.camera`` (which undo MediaPipe's depth errors in its
    side-lying bodies)."""
    from posecheck.body import camera

    monkeypatch.setattr(camera, "ELEVATION_DEPTH", {})
