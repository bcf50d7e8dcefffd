"""Process settings the CLI and the app apply at start."""

from __future__ import annotations

import subprocess
import sys


def test_the_cli_gives_arrow_the_system_allocator_so_freed_columns_go_back_to_the_os() -> None:
    code = (
        "import pyarrow as pa, runpy, sys; sys.argv = ['core', '--help']\n"
        "try: runpy.run_module('core', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "print(pa.default_memory_pool().backend_name)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "system"
