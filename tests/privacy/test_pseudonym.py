"""Pseudonymisation at import: keyed hashes, key file, raw identifiers never stored."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import pytest

from sujuva.config import Settings, override_settings
from sujuva.errors import ConfigError, ConflictError, NotFoundError
from sujuva.privacy.pseudonym import (
    KEY_FINGERPRINT_COLUMN,
    key_fingerprint,
    new_key,
    read_key_file,
    save_key,
    write_key_file,
)
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


def test_key_fingerprint_tells_keys_apart_and_reveals_nothing() -> None:
    key = bytes(range(32))
    fingerprint = key_fingerprint(key)
    expected = hmac.new(key, b"sujuva key fingerprint v1", hashlib.sha256).hexdigest()[:12]
    assert fingerprint == "k_" + expected
    assert key_fingerprint(key) == fingerprint
    assert key_fingerprint(bytes(range(1, 33))) != fingerprint
    assert key.hex()[:12] not in fingerprint
    assert KEY_FINGERPRINT_COLUMN == "sujuva_key"


def test_key_file_round_trip_with_0600(tmp_path: Path) -> None:
    key = new_key()
    path = tmp_path / "region.key"
    write_key_file(path, key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key_file(path) == key
    assert [p.name for p in tmp_path.iterdir()] == ["region.key"]  # no temporary file left
    write_key_file(path, key)  # the same key again: nothing to do
    assert read_key_file(path) == key


def test_key_file_reads_what_save_key_wrote(tmp_path: Path) -> None:
    key = new_key()
    save_key(tmp_path, key)
    assert read_key_file(tmp_path / "secret.key") == key


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_key_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "region.key"
    write_key_file(path, new_key())
    path.chmod(mode)
    with pytest.raises(ConfigError, match="chmod 600") as raised:
        read_key_file(path)
    assert str(path) in raised.value.message


def test_key_file_missing_or_malformed(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no such key file"):
        read_key_file(tmp_path / "none.key")
    bad = tmp_path / "bad.key"
    for text, message in [("not hex at all", "not a key file"), ("00ff" * 4, "shorter than 16")]:
        bad.write_text(text)
        bad.chmod(0o600)
        with pytest.raises(ConfigError, match=message):
            read_key_file(bad)


def test_key_file_never_overwrites_another_key(tmp_path: Path) -> None:
    path = tmp_path / "region.key"
    first = new_key()
    write_key_file(path, first)
    with pytest.raises(ConflictError, match="exists"):
        write_key_file(path, new_key())
    assert read_key_file(path) == first
    other = tmp_path / "notes.txt"
    other.write_text("my notes")
    with pytest.raises(ConflictError):
        write_key_file(other, first)
    assert other.read_text() == "my notes"


def test_key_file_refuses_short_keys_and_missing_folders(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="shorter than 16"):
        write_key_file(tmp_path / "short.key", b"too short")
    with pytest.raises(NotFoundError, match="does not exist"):
        write_key_file(tmp_path / "no" / "such.key", new_key())
    assert not (tmp_path / "short.key").exists()
