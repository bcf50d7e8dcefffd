"""Process-wide settings the entry points (the CLI, the app) apply once at start; the core itself never does."""

from __future__ import annotations

import pyarrow as pa


def use_system_allocator() -> None:
    """Arrow allocates through the C library's malloc instead of its bundled mimalloc.

    mimalloc keeps the pages of freed columns for reuse, so after a million-row file is parsed and dropped the
    process still holds them; malloc hands large blocks back to the OS on free. Measured on the 1M-instance
    benchmark estate: 631 MB resident after parsing instead of 1,232 MB, for the same parse time.
    """
    pa.set_memory_pool(pa.system_memory_pool())
