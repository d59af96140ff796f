"""`codeChecksum` / `X-Fc-Code-Checksum`: a CRC-64 (ECMA-182, as OSS and FC use) of the code.

FC checksums the uploaded zip; fclocal has a directory, so it checksums the sorted relative paths
and contents of its files. The value changes exactly when the code does, which is what callers use
it for.
"""

from __future__ import annotations

from pathlib import Path

_POLY = 0xC96C5795D7870F42  # ECMA-182, reflected (CRC-64/XZ)
_MASK = 0xFFFFFFFFFFFFFFFF
_TABLE = []
for _i in range(256):
    _crc = _i
    for _ in range(8):
        _crc = (_crc >> 1) ^ _POLY if _crc & 1 else _crc >> 1
    _TABLE.append(_crc)

SKIPPED_DIRS = {"__pycache__", ".git", ".venv", "node_modules"}


def crc64(data: bytes, crc: int = 0) -> int:
    crc ^= _MASK
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ _MASK


def code_files(code_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in code_dir.rglob("*")
        if p.is_file() and not SKIPPED_DIRS.intersection(p.relative_to(code_dir).parts)
    )


def code_checksum(code_dir: Path) -> str:
    crc = 0
    for path in code_files(code_dir):
        crc = crc64(path.relative_to(code_dir).as_posix().encode() + b"\0", crc)
        crc = crc64(path.read_bytes(), crc)
    return str(crc)


def code_size(code_dir: Path) -> int:
    return sum(p.stat().st_size for p in code_files(code_dir))
