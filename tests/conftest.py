from pathlib import Path

import pytest

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"


@pytest.fixture(scope="session")
def media() -> Path:
    """Real footage, read in place from ../shared/media (never copied into the project)."""
    if not MEDIA.is_dir():
        pytest.fail(f"{MEDIA} is missing: the tests need the shared media folder beside the repo")
    return MEDIA
