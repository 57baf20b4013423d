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

Zip64 (APPNOTE 4.5.3), only where a value needs it, so an archive under 4 GiB is byte for byte the
classic zip every reader opens:
- an entry whose sizes may reach `zip64_at` is marked Zip64 when its local header is written (a
  streamed entry cannot go back): a Zip64 extra field with both sizes, and an 8-byte-size data
  descriptor. `start(name, max_size=…)` lets a caller that bounds an entry (XLSX sheets) keep it
  classic; an unbounded one is Zip64. A classic entry reaching the limit raises `ZipTooLarge`;
- in the central directory, any size or local-header offset at or past `zip64_at` goes into the
  entry's Zip64 extra field (only the fields that overflow, in the fixed order);
- a central directory that starts or ends at or past `zip64_at`, or more than 65,534 entries, adds
  the Zip64 end-of-central-directory record and its locator before the classic end record.
`zip64_at` is 0xFFFFFFFF in production; tests lower it to write every Zip64 structure in a small file.
It is part of the state, so a continuation writes with the threshold its archive began with.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

LIMIT = 0xFFFFFFFF  # a 4-byte field this value or larger is read from the Zip64 extra field
_MAX_ENTRIES = 0xFFFF
LEVEL = 3  # a tenth slower than level 1 and a quarter smaller on sheet XML; level 6 doubles the time
_FLAG_DESCRIPTOR = 0x08
_FLAG_UTF8 = 0x800
_DEFLATE = 8
_VERSION = 20
_VERSION_ZIP64 = 45
_ZIP64_EXTRA = 0x0001
_DOS_TIME, _DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01 00:00: the same bytes on every run


class ZipTooLarge(ValueError):
    """An entry started without Zip64 (its caller promised a smaller size) reached 4 GiB."""


@dataclass(slots=True)
class _Entry:
    name: str
    offset: int
    crc: int = 0
    csize: int = 0
    usize: int = 0
    descriptor: bool = True
    zip64: bool = False  # the local header carries a Zip64 extra field (and the descriptor 8-byte sizes)


@dataclass(slots=True)
class ZipState:
    """What `ZipStream` needs to continue in another process (JSON via `to_json`/`from_json`)."""

    offset: int = 0
    entries: list[_Entry] = field(default_factory=list)
    open: _Entry | None = None
    zip64_at: int = LIMIT

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ZipState:
        return cls(
            offset=int(raw["offset"]),
            entries=[_Entry(**e) for e in raw["entries"]],
            open=_Entry(**raw["open"]) if raw.get("open") else None,
            zip64_at=int(raw.get("zip64_at", LIMIT)),  # checkpoints from before Zip64 have none
        )


class ZipStream:
    """Appends an archive's bytes to `out`; the caller ships and clears `out` as it likes.

    `zip64_at` applies to a new archive; a resumed one keeps the threshold in its state."""

    def __init__(self, out: bytearray, state: ZipState | None = None, *, zip64_at: int = LIMIT) -> None:
        if not 0 < zip64_at <= LIMIT:
            raise ValueError("zip64_at must be in 1..0xFFFFFFFF")
        self._out = out
        self.state = state or ZipState(zip64_at=zip64_at)
        self._z = self._compressor() if self.state.open is not None else None

    @staticmethod
    def _compressor() -> Any:
        return zlib.compressobj(LEVEL, zlib.DEFLATED, -15)

    def _emit(self, data: bytes) -> None:
        self._out += data
        self.state.offset += len(data)

    def start(self, name: str, *, max_size: int | None = None) -> None:
        """Open an entry of unknown length (written with `write`, closed with `close`).

        `max_size`: a bound the caller keeps on the entry's uncompressed size; under the Zip64
        threshold (with room for DEFLATE's worst-case growth) the entry stays classic."""
        if self.state.open is not None:
            raise RuntimeError("an entry is already open")
        bound = None if max_size is None else max_size + max_size // 1000 + 1024  # stored blocks' overhead
        entry = _Entry(name, self.state.offset, zip64=bound is None or bound >= self.state.zip64_at)
        self._emit(_local_header(entry))
        self.state.open = entry
        self._z = self._compressor()

    def write(self, data: bytes) -> None:
        entry, z = self.state.open, self._z
        if entry is None or z is None:
            raise RuntimeError("no entry is open")
        entry.crc = zlib.crc32(data, entry.crc)
        entry.usize += len(data)
        out = z.compress(data)
        entry.csize += len(out)
        self._check(entry)
        self._emit(out)

    def _check(self, entry: _Entry) -> None:
        if not entry.zip64 and max(entry.usize, entry.csize) >= LIMIT:
            raise ZipTooLarge(f"{entry.name} passed 4 GiB but was started without Zip64")

    @property
    def open_size(self) -> int:
        """Uncompressed bytes in the open entry so far (0 when none is open)."""
        return self.state.open.usize if self.state.open is not None else 0

    def checkpoint(self) -> ZipState:
        """Flush what the compressor holds so that everything emitted so far is final; the state to keep."""
        if self.state.open is not None and self._z is not None:
            out = self._z.flush(zlib.Z_SYNC_FLUSH)
            self.state.open.csize += len(out)
            self._check(self.state.open)
            self._emit(out)
        return self.state

    def close(self) -> None:
        entry, z = self.state.open, self._z
        if entry is None or z is None:
            raise RuntimeError("no entry is open")
        out = z.flush(zlib.Z_FINISH)
        entry.csize += len(out)
        self._check(entry)
        self._emit(out)
        sizes = "QQ" if entry.zip64 else "II"
        self._emit(struct.pack("<II" + sizes, 0x08074B50, entry.crc, entry.csize, entry.usize))
        self.state.entries.append(entry)
        self.state.open, self._z = None, None

    def add(self, name: str, data: bytes) -> None:
        """A whole small entry at once (its sizes go in the local header)."""
        z = self._compressor()
        packed = z.compress(data) + z.flush(zlib.Z_FINISH)
        entry = _Entry(name, self.state.offset, zlib.crc32(data), len(packed), len(data), descriptor=False)
        entry.zip64 = max(entry.csize, entry.usize) >= self.state.zip64_at
        self._emit(_local_header(entry))
        self._emit(packed)
        self.state.entries.append(entry)

    def finish(self) -> None:
        """The central directory and its end record(s): the archive is complete."""
        if self.state.open is not None:
            raise RuntimeError("close the open entry first")
        at = self.state.zip64_at
        start = self.state.offset
        for entry in self.state.entries:
            self._emit(_central_header(entry, at))
        size = self.state.offset - start
        count = len(self.state.entries)
        if count >= _MAX_ENTRIES or start >= at or self.state.offset >= at:
            end64 = self.state.offset
            self._emit(
                struct.pack(
                    "<IQHHIIQQQQ", 0x06064B50, 44, _VERSION_ZIP64, _VERSION_ZIP64, 0, 0, count, count, size, start
                )
            )
            self._emit(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
            count16 = _MAX_ENTRIES if count >= _MAX_ENTRIES else count
            size32 = LIMIT if size >= at else size
            start32 = LIMIT if start >= at else start
            self._emit(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count16, count16, size32, start32, 0))
        else:
            self._emit(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, start, 0))


def _local_header(entry: _Entry) -> bytes:
    name = entry.name.encode()
    flags = _FLAG_UTF8 | (_FLAG_DESCRIPTOR if entry.descriptor else 0)
    crc, csize, usize = (0, 0, 0) if entry.descriptor else (entry.crc, entry.csize, entry.usize)
    extra = b""
    version = _VERSION
    if entry.zip64:  # the local Zip64 extra field holds both sizes (zeros until a descriptor gives them)
        extra = struct.pack("<HHQQ", _ZIP64_EXTRA, 16, usize, csize)
        csize = usize = LIMIT
        version = _VERSION_ZIP64
    return (
        struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            version,
            flags,
            _DEFLATE,
            _DOS_TIME,
            _DOS_DATE,
            crc,
            csize,
            usize,
            len(name),
            len(extra),
        )
        + name
        + extra
    )


def _central_header(entry: _Entry, at: int) -> bytes:
    name = entry.name.encode()
    flags = _FLAG_UTF8 | (_FLAG_DESCRIPTOR if entry.descriptor else 0)
    usize, csize, offset = entry.usize, entry.csize, entry.offset
    wide: list[int] = []  # the Zip64 extra field's values, in APPNOTE's order, only those that overflow
    if usize >= at:
        wide.append(usize)
        usize = LIMIT
    if csize >= at:
        wide.append(csize)
        csize = LIMIT
    if offset >= at:
        wide.append(offset)
        offset = LIMIT
    extra = struct.pack(f"<HH{len(wide)}Q", _ZIP64_EXTRA, 8 * len(wide), *wide) if wide else b""
    version = _VERSION_ZIP64 if wide or entry.zip64 else _VERSION
    return (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            version,
            version,
            flags,
            _DEFLATE,
            _DOS_TIME,
            _DOS_DATE,
            entry.crc,
            csize,
            usize,
            len(name),
            len(extra),
            0,
            0,
            0,
            0,
            offset,
        )
        + name
        + extra
    )
