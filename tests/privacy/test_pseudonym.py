"""Pseudonymisation at import: keyed hashes, key file, raw identifiers never stored."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import pytest

from sujuva.config import Settings, override_settings
from sujuva.errors import ConfigError
from sujuva.services.importing import import_files
from sujuva.store.store import Store

RAW = (
    "case_id,customer_id,activity,timestamp,resource\n"
    "A,010190-123X,Register,12.4.2017 8.56,Matti Virtanen\n"
)


def _write(tmp_path: Path, name: str = "people.csv", text: str = RAW) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_key_file_created_with_0600_and_reused(settings: Settings, tmp_path: Path) -> None:
    import_files([_write(tmp_path)], settings=settings)
    key_file = settings.data_dir / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = bytes.fromhex(key_file.read_text())
    event = Store(settings.data_dir).to_arrow().to_pylist()[0]
    expected = "p_" + hmac.new(key, b"010190-123X", hashlib.sha256).hexdigest()[:20]
    assert event["customer_id"] == expected
    assert (
        event["resource"]
        == "p_" + hmac.new(key, b"Matti Virtanen", hashlib.sha256).hexdigest()[:20]
    )
    other = _write(tmp_path, "more.csv", RAW.replace("A,", "B,").replace("Register", "Interview"))
    import_files([other], settings=settings)
    customers = {e["customer_id"] for e in Store(settings.data_dir).to_arrow().to_pylist()}
    assert customers == {expected}


def test_raw_identifiers_never_reach_the_store_files(settings: Settings, tmp_path: Path) -> None:
    import_files([_write(tmp_path)], settings=settings)
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"010190-123X" not in content, path
            assert b"Matti Virtanen" not in content, path


def test_configured_key_gives_stable_pseudonyms_without_key_file(
    settings: Settings, tmp_path: Path
) -> None:
    configured = override_settings(secret_key="a-key-from-the-vault-of-32-chars!")
    import_files([_write(tmp_path)], settings=configured)
    assert not (configured.data_dir / "secret.key").exists()
    customer = Store(configured.data_dir).to_arrow()["customer_id"][0].as_py()
    expected = hmac.new(
        b"a-key-from-the-vault-of-32-chars!", b"010190-123X", hashlib.sha256
    ).hexdigest()[:20]
    assert customer == "p_" + expected


def test_key_readable_by_others_is_refused(settings: Settings, tmp_path: Path) -> None:
    import_files([_write(tmp_path)], settings=settings)
    (settings.data_dir / "secret.key").chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        import_files([_write(tmp_path, "again.csv")], settings=settings)


def test_reimporting_an_export_keeps_pseudonyms(settings: Settings, tmp_path: Path) -> None:
    from sujuva.services.exporting import export_log

    import_files([_write(tmp_path)], settings=settings)
    export_log(tmp_path / "out.csv", settings=settings)
    before = Store(settings.data_dir).to_arrow()
    report = import_files([tmp_path / "out.csv"], settings=settings)
    assert report.files[0].duplicate == 1
    assert Store(settings.data_dir).to_arrow().equals(before)
