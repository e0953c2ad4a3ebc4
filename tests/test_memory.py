"""The C library's allocator as invest sets it (invest/base/memory.py): a chunk's temporaries reuse freed memory, an
engine grid is still mapped on its own and given back."""

from __future__ import annotations

import ctypes
import sys

import numpy as np
import pytest

import invest  # noqa: F401  (sets the allocator, as every use of the package does)
from invest.base import memory


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _mapped_blocks() -> int:
    """How many blocks glibc has mapped on their own (mallinfo2's hblks)."""
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _MallInfo2
    return libc.mallinfo2().hblks


glibc = pytest.mark.skipif(not sys.platform.startswith("linux") or not hasattr(ctypes.CDLL(None), "mallinfo2"),
                           reason="glibc's mallopt and mallinfo2 (Linux)")


@glibc
def test_the_thresholds_are_accepted():
    assert memory.tune_malloc()


@glibc
def test_a_chunk_sized_temporary_comes_from_the_heap_and_a_grid_is_mapped():
    before = _mapped_blocks()
    chunk = np.ones(memory.MMAP_THRESHOLD // 8 // 4)  # 8 MiB: glibc on its own would map it afresh
    assert _mapped_blocks() == before
    grid = np.ones(memory.MMAP_THRESHOLD // 8 * 2)  # 64 MiB: mapped, and given back when freed
    assert _mapped_blocks() == before + 1
    del grid
    assert _mapped_blocks() == before
    del chunk
