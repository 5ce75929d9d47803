"""Keyed pseudonyms (HMAC-SHA-256) for customer and staff identifiers.

The key is created on first use in the data directory (``secret.key``, mode 0600) or given in
settings. The same identifier gets the same pseudonym with the same key, so imports from several
organisations join on the customer; without the key a pseudonym cannot be reversed or recomputed
from a guessed identifier.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Final

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from sujuva.errors import ConfigError, ConflictError, NotFoundError

KEY_FILE = "secret.key"
PSEUDONYM_PREFIX = "p_"
_KEY_BYTES = 32
_HMAC_BLOCK = 64
_PSEUDONYM_HEX = 20
PSEUDONYM_PATTERN = f"{PSEUDONYM_PREFIX}[0-9a-f]{{{_PSEUDONYM_HEX}}}"
#: Column a file pseudonymised at the source carries: the fingerprint of the key it used.
KEY_FINGERPRINT_COLUMN: Final = "sujuva_key"
_FINGERPRINT_MESSAGE = b"sujuva key fingerprint v1"
_FINGERPRINT_HEX = 12
_MIN_KEY_BYTES = 16


def new_key() -> bytes:
    """A fresh random key (saved with :func:`save_key` once something is stored with it)."""
    return secrets.token_bytes(_KEY_BYTES)


def load_key(data_dir: Path, *, configured: str | None = None) -> bytes | None:
    """The pseudonymisation key: the configured one, else the data directory's, else None.

    A key file readable by others is refused, since anyone with the key can test guesses of
    identifiers.
    """
    if configured:
        return configured.encode("utf-8")
    key_path = data_dir / KEY_FILE
    if not key_path.exists():
        return None
    mode = key_path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(
            f"{key_path}: permissions {mode:o} let others read the pseudonym key; "
            f"run 'chmod 600 {key_path}'"
        )
    key = bytes.fromhex(key_path.read_text(encoding="ascii").strip() or "00")
    if len(key) < 16:
        raise ConfigError(f"{key_path}: the key is shorter than 16 bytes")
    return key


def save_key(data_dir: Path, key: bytes) -> None:
    """Write the key file atomically with permissions 0600 (never replacing an existing key)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    key_path = data_dir / KEY_FILE
    tmp = key_path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, key.hex().encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, key_path)  # never overwrites a key another process created meanwhile
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def key_fingerprint(key: bytes) -> str:
    """A short name of the key (``k_`` + 12 hex digits): tells keys apart, reveals nothing of it."""
    digest = hmac.new(key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()
    return "k_" + digest[:_FINGERPRINT_HEX]


def read_key_file(path: Path) -> bytes:
    """Read a key file (hex text, as :func:`save_key` and :func:`write_key_file` write it).

    Like :func:`load_key`, a file that group or others may read is refused.
    """
    if not path.is_file():
        raise NotFoundError(f"{path}: no such key file")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(
            f"{path}: permissions {mode:o} let others read the pseudonym key; "
            f"run 'chmod 600 {path}'"
        )
    key = _parse_key(path.read_bytes())
    if key is None:
        raise ConfigError(f"{path}: not a key file (expected the key as hex digits)")
    if len(key) < _MIN_KEY_BYTES:
        raise ConfigError(f"{path}: the key is shorter than {_MIN_KEY_BYTES} bytes")
    return key


def write_key_file(path: Path, key: bytes) -> None:
    """Write ``key`` to ``path`` as hex text, mode 0600, atomically.

    An existing file holding the same key is left as it is; one holding anything else is never
    overwritten (:class:`ConflictError`).
    """
    if len(key) < _MIN_KEY_BYTES:
        raise ConfigError(f"the key is shorter than {_MIN_KEY_BYTES} bytes; use a longer one")
    if not path.parent.is_dir():
        raise NotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    if _holds_key(path, key):
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)  # left by a crash
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.hex().encode("ascii"))
        os.fsync(fd)
        os.close(fd)
        fd = -1
        _publish(tmp, path)
    except FileExistsError:
        if not _holds_key(path, key):  # created meanwhile: the same key, or a ConflictError
            raise
    finally:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)


def _publish(tmp: Path, path: Path) -> None:
    """Give the finished temporary file its name, never replacing an existing file."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (a FAT memory stick)
        if os.path.lexists(path):
            raise FileExistsError(path) from None
        os.replace(tmp, path)


def _holds_key(path: Path, key: bytes) -> bool:
    """Whether ``path`` exists holding ``key``; an existing file holding anything else is a
    :class:`ConflictError`."""
    if not os.path.lexists(path):
        return False
    if path.is_file() and _parse_key(path.read_bytes()) == key:
        path.chmod(0o600)
        return True
    raise ConflictError(
        f"{path}: the file exists and holds something else; remove it or choose another file name"
    )


def _parse_key(text: bytes) -> bytes | None:
    try:
        return bytes.fromhex(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None


def pseudonym(key: bytes, identifier: str) -> str:
    """The pseudonym of one identifier: ``p_`` + the first 20 hex digits of its HMAC-SHA-256."""
    digest = hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:_PSEUDONYM_HEX]


class Pseudonymiser:
    """Replaces identifier columns by pseudonyms, vectorised: each distinct value is hashed
    once per batch, inside DuckDB (the same HMAC-SHA-256 as :func:`pseudonym`)."""

    def __init__(self, key: bytes) -> None:
        block = key if len(key) <= _HMAC_BLOCK else hashlib.sha256(key).digest()
        block = block.ljust(_HMAC_BLOCK, b"\0")
        self._inner = bytes(b ^ 0x36 for b in block).hex()
        self._outer = bytes(b ^ 0x5C for b in block).hex()
        #: The key's fingerprint (see :func:`key_fingerprint`).
        self.fingerprint = key_fingerprint(key)
        self._con = duckdb.connect()
        self._con.execute("SET threads = 2")
        self._con.execute("SET memory_limit = '256MB'")

    def column(self, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Pseudonymise a string column (nulls stay null).

        Values that already are pseudonyms (``p_`` + 20 hex digits, as in an export of a store)
        are kept, so re-importing an export neither double-hashes nor duplicates anything.
        """
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if values.type != pa.string():
            values = pc.cast(values, pa.string())
        encoded = pc.dictionary_encode(values)
        self._con.register("distinct_values", pa.table({"v": encoded.dictionary}))
        hashed = (
            self._con.sql(
                f"SELECT CASE WHEN regexp_full_match(v, '{PSEUDONYM_PATTERN}') THEN v "
                f"ELSE '{PSEUDONYM_PREFIX}' || substr(sha256(unhex('{self._outer}') || "
                f"unhex(sha256(unhex('{self._inner}') || encode(v)))), 1, {_PSEUDONYM_HEX}) END "
                "AS p FROM distinct_values"
            )
            .to_arrow_table()["p"]
            .combine_chunks()
        )
        return pc.take(hashed, encoded.indices)
