"""A zip archive written front to back, whose whole state fits in a small JSON document.

Why not `zipfile`: an XLSX export spans several Lambda invocations, and each invocation appends the
next slice of the same archive as S3 multipart parts. What the next invocation needs to carry on is
small and serialisable: the byte offset reached, the finished entries (for the central directory),
and the open entry's CRC-32 and sizes.

The open entry is raw DEFLATE. A `checkpoint()` ends the compressor's output with a sync flush, which
byte-aligns the stream without a final block; the next invocation starts a fresh compressor whose
blocks follow on (back-references never reach before its own first byte), so the concatenation is one
valid DEFLATE stream (the technique parallel gzip tools use). Entries being written carry a data
descriptor (general-purpose flag bit 3): their CRC and sizes are known only when they close.

No Zip64: an entry or the archive reaching 4 GiB raises `ZipTooLarge` (XLSX sheets are split long
before that; see `vkc.exports.xlsx`).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

LIMIT = 0xFFFFFFFF
LEVEL = 3  # a tenth slower than level 1 and a quarter smaller on sheet XML; level 6 doubles the time
_FLAG_DESCRIPTOR = 0x08
_FLAG_UTF8 = 0x800
_DEFLATE = 8
_VERSION = 20
_DOS_TIME, _DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01 00:00: the same bytes on every run


class ZipTooLarge(ValueError):
    """The archive or one of its entries would pass 4 GiB (this writer does not do Zip64)."""


@dataclass(slots=True)
class _Entry:
    name: str
    offset: int
    crc: int = 0
    csize: int = 0
    usize: int = 0
    descriptor: bool = True


@dataclass(slots=True)
class ZipState:
    """What `ZipStream` needs to continue in another process (JSON via `to_json`/`from_json`)."""

    offset: int = 0
    entries: list[_Entry] = field(default_factory=list)
    open: _Entry | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ZipState:
        return cls(
            offset=int(raw["offset"]),
            entries=[_Entry(**e) for e in raw["entries"]],
            open=_Entry(**raw["open"]) if raw.get("open") else None,
        )


class ZipStream:
    """Appends an archive's bytes to `out`; the caller ships and clears `out` as it likes."""

    def __init__(self, out: bytearray, state: ZipState | None = None) -> None:
        self._out = out
        self.state = state or ZipState()
        self._z = self._compressor() if self.state.open is not None else None

    @staticmethod
    def _compressor() -> Any:
        return zlib.compressobj(LEVEL, zlib.DEFLATED, -15)

    def _emit(self, data: bytes) -> None:
        self._out += data
        self.state.offset += len(data)
        if self.state.offset >= LIMIT:
            raise ZipTooLarge("the file would pass 4 GiB")

    def start(self, name: str) -> None:
        """Open an entry of unknown length (written with `write`, closed with `close`)."""
        if self.state.open is not None:
            raise RuntimeError("an entry is already open")
        entry = _Entry(name, self.state.offset)
        self._emit(_local_header(entry))
        self.state.open = entry
        self._z = self._compressor()

    def write(self, data: bytes) -> None:
        entry, z = self.state.open, self._z
        if entry is None or z is None:
            raise RuntimeError("no entry is open")
        entry.crc = zlib.crc32(data, entry.crc)
        entry.usize += len(data)
        if entry.usize >= LIMIT:
            raise ZipTooLarge(f"{entry.name} would pass 4 GiB")
        out = z.compress(data)
        entry.csize += len(out)
        self._emit(out)

    @property
    def open_size(self) -> int:
        """Uncompressed bytes in the open entry so far (0 when none is open)."""
        return self.state.open.usize if self.state.open is not None else 0

    def checkpoint(self) -> ZipState:
        """Flush what the compressor holds so that everything emitted so far is final; the state to keep."""
        if self.state.open is not None and self._z is not None:
            out = self._z.flush(zlib.Z_SYNC_FLUSH)
            self.state.open.csize += len(out)
            self._emit(out)
        return self.state

    def close(self) -> None:
        entry, z = self.state.open, self._z
        if entry is None or z is None:
            raise RuntimeError("no entry is open")
        out = z.flush(zlib.Z_FINISH)
        entry.csize += len(out)
        self._emit(out)
        self._emit(struct.pack("<IIII", 0x08074B50, entry.crc, entry.csize, entry.usize))
        self.state.entries.append(entry)
        self.state.open, self._z = None, None

    def add(self, name: str, data: bytes) -> None:
        """A whole small entry at once (its sizes go in the local header)."""
        z = self._compressor()
        packed = z.compress(data) + z.flush(zlib.Z_FINISH)
        entry = _Entry(name, self.state.offset, zlib.crc32(data), len(packed), len(data), descriptor=False)
        self._emit(_local_header(entry))
        self._emit(packed)
        self.state.entries.append(entry)

    def finish(self) -> None:
        """The central directory and its end record: the archive is complete."""
        if self.state.open is not None:
            raise RuntimeError("close the open entry first")
        start = self.state.offset
        for entry in self.state.entries:
            name = entry.name.encode()
            flags = _FLAG_UTF8 | (_FLAG_DESCRIPTOR if entry.descriptor else 0)
            self._emit(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    _VERSION,
                    _VERSION,
                    flags,
                    _DEFLATE,
                    _DOS_TIME,
                    _DOS_DATE,
                    entry.crc,
                    entry.csize,
                    entry.usize,
                    len(name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    entry.offset,
                )
                + name
            )
        size = self.state.offset - start
        count = len(self.state.entries)
        self._emit(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, start, 0))


def _local_header(entry: _Entry) -> bytes:
    name = entry.name.encode()
    flags = _FLAG_UTF8 | (_FLAG_DESCRIPTOR if entry.descriptor else 0)
    crc, csize, usize = (0, 0, 0) if entry.descriptor else (entry.crc, entry.csize, entry.usize)
    return (
        struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, _VERSION, flags, _DEFLATE, _DOS_TIME, _DOS_DATE, crc, csize, usize, len(name), 0
        )
        + name
    )
