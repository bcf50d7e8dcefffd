"""House rules checked mechanically: the core is UI-free and the README's generated table is current."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import core
from core.docs import COLUMNS_BEGIN, COLUMNS_END, readme_block

ROOT = Path(__file__).resolve().parents[2]


def test_importing_every_core_module_does_not_import_streamlit():
    modules = [m.name for m in pkgutil.walk_packages(core.__path__, "core.") if not m.name.endswith("__main__")]
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert len(modules) > 15


def test_the_readme_lists_every_accepted_column_as_generated_from_the_schema():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = text.index(COLUMNS_BEGIN), text.index(COLUMNS_END) + len(COLUMNS_END)
    assert text[start:end] == readme_block(), "run `python -m core docs` and paste its output into README.md"
