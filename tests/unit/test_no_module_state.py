"""No module-level mutable state in `core` (nor in the app shell): all sessions share one server process, so
anything a module holds is shared between users. Read from the source (AST), so a new module is covered the day
it is written.

The rule: a name bound at module level to a mutable container (list, dict, set literal or comprehension; a call
to list/dict/set/defaultdict/OrderedDict/deque/Counter/bytearray or a numpy/pandas constructor) must be a
constant (UPPER_CASE, a leading underscore allowed) that no code mutates (a mutating method, an item or
attribute store, `del`, `+=`); no function may declare `global`; and a memoised core function (functools.cache,
lru_cache) is a module-level store too, allowed only when listed below with why it holds no user data. The
shell's one deliberate shared store, the login throttle (ui/throttle.py), holds failure counts only.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"
# The app shell: checked by the same rules, and for changes to core's constants through `module.NAME`.
SHELL = [*sorted((ROOT / "ui").glob("*.py")), *sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]

CONSTANT = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
CONTAINER_CALLS = {
    "list",
    "dict",
    "set",
    "defaultdict",
    "OrderedDict",
    "deque",
    "Counter",
    "ChainMap",
    "bytearray",
    "array",  # numpy
    "zeros",
    "ones",
    "empty",
    "full",
    "DataFrame",  # pandas
    "Series",
}
MUTATORS = {
    "append",
    "appendleft",
    "extend",
    "extendleft",
    "insert",
    "remove",
    "pop",
    "popleft",
    "popitem",
    "clear",
    "update",
    "setdefault",
    "add",
    "discard",
    "sort",
    "reverse",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
    "fill",
    "resize",
    "put",
    "__setitem__",
    "__delitem__",
    "__iadd__",
}
MEMOISERS = {"cache", "lru_cache"}
# module path relative to the repo root: {function: why its cache holds no user data}
ALLOWED_MEMOS = {
    "core/detect.py": {
        "_alias_ranks": "keyed by a schema kind name; the value is derived from schema.KINDS only",
        "_licence_keys": "no arguments; derived from the schema's aliases only",
    },
}


@dataclass(frozen=True)
class Binding:
    module: str
    name: str
    line: int
    container: bool


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _top_level(tree: ast.Module) -> list[ast.stmt]:
    """Module-level statements, including those inside top-level if / try / with blocks."""
    out: list[ast.stmt] = []
    todo = list(tree.body)
    while todo:
        node = todo.pop(0)
        out.append(node)
        if isinstance(node, ast.If | ast.With):
            todo.extend(node.body + getattr(node, "orelse", []))
        elif isinstance(node, ast.Try):
            todo.extend(node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body])
    return out


def _is_container(value: ast.expr | None) -> bool:
    if isinstance(value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return name in CONTAINER_CALLS
    return False


def _names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for t in target.elts for n in _names(t)]
    return []


def bindings(path: Path, module: str | None = None) -> list[Binding]:
    """Every name bound at module level, and whether to a mutable container."""
    module = module or _rel(path)
    out = []
    for node in _top_level(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign):
            out += [Binding(module, n, node.lineno, _is_container(node.value)) for t in node.targets for n in _names(t)]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            out += [Binding(module, n, node.lineno, _is_container(node.value)) for n in _names(node.target)]
    return out


def _root(expr: ast.expr) -> ast.expr:
    """The object an item/attribute chain starts from: `X["a"].b[0]` -> X; `mod.X[1]` -> mod.X."""
    while isinstance(expr, ast.Subscript | ast.Attribute | ast.Call):
        inner = expr.func if isinstance(expr, ast.Call) else expr.value
        if isinstance(expr, ast.Attribute) and isinstance(inner, ast.Name):
            return expr  # mod.X: keep the attribute, its name is X
        expr = inner
    return expr


def mutations(path: Path) -> list[tuple[str, int, bool]]:
    """(name, line, through `module.NAME`) for every mutation in a file: a conservative over-approximation."""
    found: list[tuple[str, int, bool]] = []

    def mark(expr: ast.expr, line: int) -> None:
        root = _root(expr)
        if isinstance(root, ast.Name | ast.Attribute):
            found.append((root.id if isinstance(root, ast.Name) else root.attr, line, isinstance(root, ast.Attribute)))

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
            mark(node.func.value, node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            for t in node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]:
                if isinstance(t, ast.Subscript | ast.Attribute):
                    mark(t.value, node.lineno)
                elif isinstance(node, ast.AugAssign) and isinstance(t, ast.Name):
                    found.append((t.id, node.lineno, False))
    return found


def imported_from_core(path: Path) -> set[str]:
    return {
        alias.asname or alias.name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "core"
        for alias in node.names
    }


def core_files() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if "__pycache__" not in p.parts)


GROUPS = {"core": core_files, "shell": lambda: SHELL}


def test_the_scan_sees_every_core_module() -> None:
    assert len(core_files()) >= 30 and CORE / "reconcile.py" in core_files()


@pytest.mark.parametrize("group", GROUPS)
def test_no_mutable_container_is_bound_to_a_non_constant_name(group: str) -> None:
    bad = [
        f"{b.module}:{b.line} {b.name}"
        for p in GROUPS[group]()
        for b in bindings(p)
        if b.container and not CONSTANT.match(b.name) and not (b.name.startswith("__") and b.name.endswith("__"))
    ]
    assert not bad, f"module-level mutable state (shared by every session): {bad}"


def test_no_code_mutates_a_module_level_container() -> None:
    containers = {(b.module, b.name) for p in [*core_files(), *SHELL] for b in bindings(p) if b.container}
    core_names = {name for module, name in containers if module.startswith("core/")}
    bad = []
    for path in [*core_files(), *SHELL]:
        rel, imported = _rel(path), imported_from_core(path)
        for name, line, qualified in mutations(path):
            own = (rel, name) in containers and not qualified  # NAME in its own module
            other = name in core_names and (qualified or name in imported)  # module.NAME, NAME imported from core
            if own or other:
                bad.append(f"{rel}:{line} mutates {name}")
    assert not bad, f"a core constant is changed at run time (shared by every session): {bad}"


def test_no_function_rebinds_module_state_with_global() -> None:
    bad = [
        f"{_rel(p)}:{node.lineno} global {', '.join(node.names)}"
        for p in [*core_files(), *SHELL]
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.Global)
    ]
    assert not bad, bad


def test_the_shell_never_keeps_anything_in_cache_resource() -> None:
    """st.cache_resource is one object for every session: never user data (ui/state.py caches parses on bytes)."""
    bad = [
        f"{_rel(p)}:{node.lineno}"
        for p in SHELL
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("cache_resource", "experimental_singleton")
    ]
    assert not bad, bad


def test_every_memoised_core_function_is_known_to_hold_no_user_data() -> None:
    found: dict[str, set[str]] = {}
    for p in core_files():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for d in node.decorator_list:
                    d = d.func if isinstance(d, ast.Call) else d
                    name = d.attr if isinstance(d, ast.Attribute) else d.id if isinstance(d, ast.Name) else ""
                    if name in MEMOISERS:
                        found.setdefault(_rel(p), set()).add(node.name)
    assert found == {m: set(fs) for m, fs in ALLOWED_MEMOS.items()}, "a new memoised function: review, then list it"


def test_the_rule_catches_what_it_is_meant_to_catch(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text(
        "import collections\n"
        "seen = {}\n"
        "cache: dict[str, int] = dict()\n"
        "QUEUE = collections.deque()\n"
        "_NAMES = [x for x in 'ab']\n"
        "KINDS = ('a', 'b')\n"
        "Alias = dict[str, int]\n"
        "def f(k):\n"
        "    QUEUE.append(k)\n"
        "    _NAMES[0] = k\n"
        "    seen.setdefault(k, 0)\n",
        encoding="utf-8",
    )
    got = {b.name: b.container for b in bindings(sample, "m.py")}
    assert got == {"seen": True, "cache": True, "QUEUE": True, "_NAMES": True, "KINDS": False, "Alias": False}
    assert {name for name, _, _ in mutations(sample)} == {"QUEUE", "_NAMES", "seen"}
    caller = tmp_path / "caller.py"
    caller.write_text(
        "from core import schema\nfrom core.plan import STEPS\n"
        "def g():\n    schema.KINDS['x'] = 1\n    STEPS.append(2)\n    del schema.LIFECYCLE['y']\n",
        encoding="utf-8",
    )
    assert set(mutations(caller)) == {("KINDS", 4, True), ("STEPS", 5, False), ("LIFECYCLE", 6, True)}
    assert imported_from_core(caller) == {"schema", "STEPS"}
