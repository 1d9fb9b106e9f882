"""A minimal chunked on-disk array: rows of a raw float64 file, read with ``seek`` + ``read``.

Unlike :class:`numpy.memmap` it never maps the whole file into the address space, so it works
in a process whose address space (``RLIMIT_AS``) is smaller than the file. It has what
:func:`gmm_from_scratch.em.is_streamed` asks of a streamed array: ``shape``, ``dtype`` and row
slicing (plus sorted integer indexing, used to draw an initialization sample).
"""

from __future__ import annotations

import os

import numpy as np


class RowFile:
    """Read-only rows of a C-ordered ``(n_rows, n_features)`` float64 file."""

    ndim = 2
    dtype = np.dtype(np.float64)

    def __init__(self, path: str | os.PathLike, n_features: int) -> None:
        self.path = os.fspath(path)
        size = os.path.getsize(self.path)
        row_bytes = 8 * n_features
        if size % row_bytes:
            raise ValueError(
                f"{path}: {size} bytes is not a whole number of {n_features}-float rows."
            )
        self.shape = (size // row_bytes, n_features)

    def __len__(self) -> int:
        return self.shape[0]

    def _read(self, start: int, stop: int) -> np.ndarray:
        d = self.shape[1]
        with open(self.path, "rb") as f:
            f.seek(8 * d * start)
            return np.fromfile(f, dtype=np.float64, count=(stop - start) * d).reshape(-1, d)

    def __getitem__(self, index) -> np.ndarray:
        n = self.shape[0]
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step != 1:
                raise ValueError("RowFile supports contiguous row slices only.")
            return self._read(start, max(start, stop))
        idx = np.asarray(index)
        if idx.ndim == 1 and np.issubdtype(idx.dtype, np.integer):
            # Read the file in large pieces and keep the requested rows (idx sorted or not).
            out = np.empty((idx.size, self.shape[1]))
            piece = 1 << 16
            order = np.argsort(idx, kind="stable")
            sorted_idx = idx[order]
            for start in range(0, n, piece):
                lo, hi = np.searchsorted(sorted_idx, [start, start + piece])
                if hi > lo:
                    rows = self._read(start, min(start + piece, n))
                    out[order[lo:hi]] = rows[sorted_idx[lo:hi] - start]
            return out
        raise TypeError(f"RowFile rows are indexed by a slice or 1-D integer array, got {index!r}.")

    @staticmethod
    def write(path: str | os.PathLike, blocks) -> None:
        """Write an iterable of ``(rows, d)`` float64 blocks to ``path``."""
        with open(path, "wb") as f:
            for block in blocks:
                np.ascontiguousarray(block, dtype=np.float64).tofile(f)
