"""The fast batch form of text: one UTF-8 buffer plus document offsets."""

from __future__ import annotations

from typing import Iterator, List, Sequence, Union

import numpy as np

BufferLike = Union[bytes, bytearray, memoryview, np.ndarray]


class TextBatch:
    """N documents as one UTF-8 byte buffer and N+1 offsets.

    Document ``i`` is ``data[offsets[i]:offsets[i+1]]``. The bytes need not be
    valid UTF-8: kernels replace or drop invalid sequences as told. Kernels that
    edit text return a new ``TextBatch``; no Python string is made on the way.
    """

    __slots__ = ("data", "offsets")

    def __init__(self, data: BufferLike, offsets: Union[Sequence[int], np.ndarray]):
        if isinstance(data, np.ndarray):
            if data.dtype != np.uint8 or data.ndim != 1:
                raise TypeError(f"data must be a 1-D uint8 array, got {data.dtype} with {data.ndim} dims")
            arr = np.ascontiguousarray(data)
        else:
            try:
                arr = np.frombuffer(data, dtype=np.uint8)
            except TypeError:
                raise TypeError(f"data must be bytes-like, got {type(data).__name__}") from None
        offs = np.ascontiguousarray(offsets, dtype=np.int64)
        if offs.ndim != 1 or offs.size == 0:
            raise ValueError("offsets must be a non-empty 1-D sequence (N+1 entries for N documents)")
        if offs[0] < 0 or offs[-1] > arr.size:
            raise ValueError(f"offsets must lie within the buffer [0, {arr.size}], got {offs[0]}..{offs[-1]}")
        if offs.size > 1 and np.any(offs[1:] < offs[:-1]):
            bad = int(np.argmax(offs[1:] < offs[:-1]))
            raise ValueError(f"offsets must not decrease (offsets[{bad + 1}] < offsets[{bad}])")
        self.data = arr
        self.offsets = offs

    @classmethod
    def from_strings(cls, docs: Sequence[str]) -> "TextBatch":
        """Pack strings; a lone surrogate (not encodable in UTF-8) becomes U+FFFD."""
        from . import _native

        data, offsets = _native.pack_strings(list(docs))
        return cls(data, offsets)

    @classmethod
    def from_bytes(cls, docs: Sequence[bytes]) -> "TextBatch":
        lens = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        offsets = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        return cls(b"".join(docs), offsets)

    def to_strings(self, errors: str = "replace") -> List[str]:
        """Decode every document; invalid UTF-8 is replaced by U+FFFD or dropped."""
        py_errors = {"replace": "replace", "drop": "ignore"}[errors]
        raw = self.data.tobytes()
        o = self.offsets.tolist()
        return [raw[o[i] : o[i + 1]].decode("utf-8", py_errors) for i in range(len(o) - 1)]

    def __len__(self) -> int:
        return self.offsets.size - 1

    def __getitem__(self, i: int) -> bytes:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"document index {i} out of range for {n} documents")
        return self.data[self.offsets[i] : self.offsets[i + 1]].tobytes()

    def __iter__(self) -> Iterator[bytes]:
        for i in range(len(self)):
            yield self[i]

    @property
    def nbytes(self) -> int:
        """Bytes of text covered by the documents."""
        return int(self.offsets[-1] - self.offsets[0])

    def __eq__(self, other) -> bool:
        if not isinstance(other, TextBatch):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def __repr__(self) -> str:
        return f"TextBatch({len(self)} docs, {self.nbytes} bytes)"
