"""Undo a response's Content-Encoding layers as the body streams in, never holding more than a byte cap.

httpx decodes each compressed chunk whole, so a few kilobytes of stacked gzip can expand to gigabytes in
one call before any size check runs. Here every layer yields its output in bounded pieces and the cap is
checked on each, however many layers there are.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

PIECE = 64 * 1024  # the most any layer produces per step
_GZIP = {"gzip", "x-gzip"}
_KNOWN = _GZIP | {"deflate", "identity", ""}


class TooLarge(Exception):
    """The decoded body went over the cap."""


class UnsupportedEncoding(Exception):
    """A Content-Encoding this reader does not decode (it only ever asks for gzip and deflate)."""


class _Layer:
    """One gzip or deflate layer (deflate with or without its zlib wrapper, as servers send both)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._inner = zlib.decompressobj(16 + zlib.MAX_WBITS if name in _GZIP else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not self._started and self.name == "deflate" and data:
            self._started = True
            if data[0] & 0x0F != 8:  # no zlib header: raw deflate
                self._inner = zlib.decompressobj(-zlib.MAX_WBITS)
        while data:
            try:
                piece = self._inner.decompress(data, PIECE)
            except zlib.error as exc:
                raise ValueError(f"corrupt {self.name} data: {exc}") from None
            data = self._inner.unconsumed_tail
            if piece:
                yield piece
            if self._inner.eof:
                return

    def finish(self) -> Iterator[bytes]:
        while piece := self._inner.decompress(b"", PIECE):
            yield piece
        if tail := self._inner.flush():
            yield tail


def layers(content_encoding: str) -> list[str]:
    """The encodings to undo, outermost first (the header lists them in the order they were applied)."""
    names = [n.strip().lower() for n in content_encoding.split(",")]
    unknown = [n for n in names if n not in _KNOWN]
    if unknown:
        raise UnsupportedEncoding(f"unsupported Content-Encoding {unknown[0]!r}")
    return [n for n in reversed(names) if n not in ("identity", "")]


def decoded(chunks: Iterable[bytes], content_encoding: str, limit: int) -> bytes:
    """The body with every layer undone; TooLarge as soon as the raw or decoded size passes ``limit``."""
    stack = [_Layer(name) for name in layers(content_encoding)]
    out = bytearray()

    def emit(pieces: Iterable[bytes], depth: int) -> None:
        for piece in pieces:
            if depth == len(stack):
                out.extend(piece)
                if len(out) > limit:
                    raise TooLarge(f"response too large (over {limit:,} bytes)")
            else:
                emit(stack[depth].feed(piece), depth + 1)

    raw = 0
    for chunk in chunks:
        raw += len(chunk)
        if raw > limit:
            raise TooLarge(f"response too large (over {limit:,} bytes)")
        emit([chunk], 0)
    for depth, layer in enumerate(stack):
        emit(layer.finish(), depth + 1)
    return bytes(out)
