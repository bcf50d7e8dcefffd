"""Process-wide settings the entry points (the CLI, the app) apply once at start; the core itself never does."""

from __future__ import annotations

import ctypes
from collections.abc import Callable

import pyarrow as pa


def use_system_allocator() -> None:
    """Arrow allocates through the C library's malloc instead of its bundled mimalloc.

    mimalloc keeps the pages of freed columns for reuse, so after a million-row file is parsed and dropped the
    process still holds them; malloc hands large blocks back to the OS on free. Measured on the 1M-instance
    benchmark estate: 631 MB resident after parsing instead of 1,232 MB, for the same parse time.
    """
    pa.set_memory_pool(pa.system_memory_pool())


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the OS (glibc's malloc_trim; a no-op elsewhere).

    Parsing a large file frees hundreds of MB of small and mid-sized blocks that malloc keeps in its heap;
    trimming after each file keeps them from adding up (1M-instance estate: peak 1.88 GB -> 1.67 GB, 0.12 s).
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]  # the process's own C library
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        return None
