"""Shared fixtures: a fresh data directory per test, paths of the test data."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sujuva.config import Settings, override_settings, reset_settings
from sujuva.services.demo import build_demo

pytest_plugins = ["tests.appstate"]

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
BAD = DATA / "bad"
GOOD = DATA / "good"
#: Small copies of the public logs of shared/data/public-logs, so a fresh clone runs them too.
PUBLIC_LOGS = DATA / "public"
SHARED_LOGS = TESTS.parent.parent / "shared" / "data" / "public-logs"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings whose data directory is a fresh folder under the test's tmp_path."""
    for name in (
        "SUJUVA_DATA_DIR",
        "SUJUVA_SECRET_KEY",
        "SUJUVA_TIMEZONE",
        "SUJUVA_AMBIGUOUS_TIME",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    reset_settings()
    yield override_settings(data_dir=tmp_path / "data")
    reset_settings()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with the SHA-256 of its bytes (for byte-for-byte checks)."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def public_log(name: str) -> Path:
    """A public log: the vendored copy in tests/data/public (identical to the one in
    shared/data beside the checkout, when that is there)."""
    path = PUBLIC_LOGS / name
    shared = SHARED_LOGS / name
    if path.exists() and shared.exists() and path.read_bytes() != shared.read_bytes():
        pytest.fail(f"{path} differs from {shared}: copy the shared log again")
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"public log {path} missing: CI must have shared/ beside the checkout")
        pytest.skip(f"public log {path} not available")
    return path


@pytest.fixture(scope="session")
def demo_region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo region's data directory, built once for the whole session (read-only)."""
    folder = tmp_path_factory.mktemp("web-demo")
    reset_settings()
    settings = override_settings(data_dir=folder / "data", demo_dir=folder / "files")
    build_demo(size="small", settings=settings)
    reset_settings()
    return folder / "data"
