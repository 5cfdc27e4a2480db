"""The architecture's promises, read from the source with ``ast``.

- No rule code as a bare string outside the rule table: every other module names a rule by its
  name or asks :data:`sdistguard.rules.RULES` (a code typed anywhere else can drift from the table).
- hatchling's builder internals are imported only in ``src/sdistguard/builders/``; elsewhere only
  hatchling's public faces: the package, its PEP 517 hooks (``hatchling.build``) and its version.
- Every public module-level function and class, and every public method of a public class, has a
  docstring.
- Every third-party module imported by ``src/sdistguard`` is a declared dependency (``[project]
  dependencies``), except the check-sdist plugin, which only check-sdist imports, and a command extra's
  package (``release``: pypa/build) imported inside a function.
- Layers (README.md, "Layout"): every module is in a layer folder (or is one of the top-level modules other
  tools name) and imports only from its own layer or lower ones, every import counted.
- No import cycle among sdistguard's modules: the strongly connected components of the import graph,
  every import counted (inside functions, and under ``TYPE_CHECKING``), are single modules.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from importlib.metadata import packages_distributions

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PACKAGE = REPO / "src" / "sdistguard"
MODULES = sorted(path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py"))
CODE = re.compile(r"SG\d{3}")
FAMILY_MODULES = sorted(
    module for module in MODULES
    if module.startswith("rules/") and re.search(r"^FAMILY: Final", (PACKAGE / module).read_text("utf-8"), re.M)
)
"""The registry's family modules (``rules/markers.py``, ...): the only modules a code is written in."""


def _tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / module).read_text(encoding="utf-8"), filename=module)


def bare_codes(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, code)`` of every string constant that is exactly a rule code (``"SG101"``)."""
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value)
    ]


@pytest.mark.parametrize("module", MODULES)
def test_no_bare_code_string_outside_the_rule_table(module: str) -> None:
    if module in FAMILY_MODULES:
        assert bare_codes(_tree(module)), "a family module of the registry holds its codes"
        return
    assert bare_codes(_tree(module)) == []


def test_the_code_check_sees_a_bare_code() -> None:
    tree = ast.parse('A = {"SG101": 1}\nB = f"SG102 {A}"\nC = "SG1"\nD = ("SG5", "sg101")\nE = ["SG201"]')
    assert bare_codes(tree) == [(1, "SG101"), (5, "SG201")]


PUBLIC_HATCHLING = ("hatchling", "hatchling.build", "hatchling.__about__")


def hatchling_imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``(line, module)`` of every hatchling module imported (``from hatchling import x`` counts as ``hatchling.x``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "hatchling")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "hatchling":
                yield from ((node.lineno, f"hatchling.{alias.name}") for alias in node.names)
            elif node.module.split(".")[0] == "hatchling":
                yield node.lineno, node.module


@pytest.mark.parametrize("module", [module for module in MODULES if not module.startswith("builders/")])
def test_hatchling_internals_are_imported_only_in_builders(module: str) -> None:
    internal = [(line, name) for line, name in hatchling_imports(_tree(module)) if name not in PUBLIC_HATCHLING]
    assert internal == []


def test_the_builders_are_where_hatchling_internals_are_imported() -> None:
    imported = {name for module in MODULES if module.startswith("builders/") for _, name in hatchling_imports(
        _tree(module))}
    assert "hatchling.builders.sdist" in imported and "hatchling.builders.wheel" in imported
    tree = ast.parse("from hatchling import builders\nimport hatchling.builders.utils\nfrom hatchling.build import x")
    assert list(hatchling_imports(tree)) == [(1, "hatchling.builders"), (2, "hatchling.builders.utils"),
                                             (3, "hatchling.build")]


def undocumented(tree: ast.Module) -> list[str]:
    """Public functions and classes without a docstring (module level, also under ``if``, and in public classes)."""
    missing: list[str] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.If):
                visit(node.body + node.orelse, prefix)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith(
                    "_"):
                if ast.get_docstring(node) is None:
                    missing.append(f"{prefix}{node.name} (line {node.lineno})")
                if isinstance(node, ast.ClassDef):
                    visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return missing


@pytest.mark.parametrize("module", MODULES)
def test_every_public_function_and_class_has_a_docstring(module: str) -> None:
    tree = _tree(module)
    assert ast.get_docstring(tree) is not None or module == "__main__.py"
    assert undocumented(tree) == []


def test_the_docstring_check_sees_a_missing_docstring() -> None:
    tree = ast.parse('def f():\n    """Doc."""\ndef g(): pass\nclass C:\n    def m(self): pass\n'
                     '    def _n(self): pass\nif True:\n    def h(): pass\ndef _private(): pass\n')
    assert undocumented(tree) == ["g (line 3)", "C (line 4)", "C.m (line 5)", "h (line 8)"]


NEWER_STDLIB = {"tomllib"}
"""Standard library modules of a newer Python, imported under a ``sys.version_info`` check."""


def _extra(name: str) -> set[str]:
    """The distributions an optional extra of pyproject.toml declares (``sdistguard[index]`` within ``dask``)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = set()
    for text in project["optional-dependencies"][name]:
        requirement = Requirement(text)
        names |= _extra(next(iter(requirement.extras))) if requirement.name == "sdistguard" else {
            canonicalize_name(requirement.name)}
    return names


INDEX_EXTRAS = ("index", "dask")
"""``src/sdistguard/index/`` (``check --index``) may also import what these extras declare (never the backend)."""


def extra_imports(tree: ast.AST) -> list[tuple[str, str]]:
    """``(module, extra)`` of every ``require("module", "extra")`` call (sdistguard.index.client.require)."""
    return [
        (node.args[0].value, node.args[1].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "require"
        and len(node.args) == 2 and all(isinstance(arg, ast.Constant) for arg in node.args)
    ]


def test_every_module_the_index_command_requires_is_in_the_extra_it_names() -> None:
    distributions = packages_distributions()
    required = {pair for module in MODULES if module.startswith("index/") for pair in extra_imports(_tree(module))}
    assert {("pypi_simple", "index"), ("requests", "index"), ("distributed", "dask")} <= required
    for module, extra in required:
        assert extra in INDEX_EXTRAS
        owners = {canonicalize_name(owner) for owner in distributions.get(module, [module])}  # 3.10: "pypi_simple"
        assert owners & _extra(extra), (module, extra)


COMMAND_EXTRAS = ("release",)
"""Optional extras of the ``sdistguard`` command (``pip install "sdistguard[release]"``): their packages may
be imported inside a function of the command's modules, never at module level (the backend never needs them)."""


def test_every_third_party_import_is_a_declared_dependency() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {canonicalize_name(Requirement(text).name) for text in project["dependencies"]}
    optional = declared | {
        canonicalize_name(Requirement(text).name)
        for extra in COMMAND_EXTRAS
        for text in project["optional-dependencies"][extra]
    }
    index_declared = declared.union(*(_extra(extra) for extra in INDEX_EXTRAS))
    assert {"hatchling", "packaging", "pathspec"} <= declared
    distributions = packages_distributions()
    undeclared: dict[str, str] = {}
    for module in MODULES:
        if module == "check_sdist.py":  # check-sdist's plugin: loaded by check-sdist, never by sdistguard
            continue
        tree = _tree(module)
        lazy = {
            id(node)
            for function in ast.walk(tree)
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(function)
        }
        for node in ast.walk(tree):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in NEWER_STDLIB or top == "sdistguard":
                    continue
                owners = {canonicalize_name(owner) for owner in distributions.get(top, [top])}
                allowed = index_declared if module.startswith("index/") else declared
                if not owners & (optional | allowed if id(node) in lazy else allowed):
                    undeclared[f"{module}: {name}"] = ", ".join(sorted(owners))
    assert undeclared == {}


# --------------------------------------------------------------------------- no import cycle


def _module_name(module: str) -> str:
    """``audit/run.py`` -> ``sdistguard.audit.run``; ``audit/__init__.py`` -> ``sdistguard.audit``."""
    parts = ["sdistguard", *module.removesuffix(".py").split("/")]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(module: str, tree: ast.AST, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``module`` (a path below src/sdistguard) imports anywhere in ``tree``:
    at the top, inside functions, under ``TYPE_CHECKING``; ``from a import b`` counts ``a.b`` when it is a module."""
    name = _module_name(module)
    package = name if module.endswith("__init__.py") else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                kept = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*kept, base] if base else kept)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    found = set()
    for imported in names:
        while imported and imported not in known:
            imported = imported.rpartition(".")[0]
        if imported and imported != name:
            found.add(imported)
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_no_import_cycle_among_sdistguards_modules() -> None:
    known = {_module_name(module) for module in MODULES}
    graph = {_module_name(module): imported_modules(module, _tree(module), known) for module in MODULES}
    assert sum(len(edges) for edges in graph.values()) > len(graph)  # the graph is read, not empty
    assert import_cycles(graph) == []


def test_the_cycle_check_sees_a_cycle_through_a_function_and_type_checking() -> None:
    known = {"sdistguard.a", "sdistguard.b", "sdistguard.c"}
    sources = {
        "a.py": "def f():\n    from sdistguard import b\n",
        "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import X\n",
        "c.py": "import sdistguard.a\n",
    }
    graph = {_module_name(module): imported_modules(module, ast.parse(text), known) for module, text in sources.items()}
    assert graph == {
        "sdistguard.a": {"sdistguard.b"}, "sdistguard.b": {"sdistguard.c"}, "sdistguard.c": {"sdistguard.a"},
    }
    assert import_cycles(graph) == [["sdistguard.a", "sdistguard.b", "sdistguard.c"]]


# --------------------------------------------------------------------------- layers, imports only downward


LAYERS: tuple[tuple[str, ...], ...] = (
    ("rules",), ("core",), ("git",), ("walk",), ("builders",), ("audit",), ("report",), ("release", "index"),
    ("cli",),
)
"""The layer folders of src/sdistguard, lowest first (README.md, "Layout"); one rank may hold two folders."""

TOP_LEVEL = ("__init__.py", "__main__.py", "build.py", "check_sdist.py", "schema.py")
"""The modules other tools name (the package, ``python -m``, the PEP 517 hooks, two plugins): above every layer."""

def layer_rank(module: str) -> tuple[int, str] | None:
    """``(rank, layer)`` of ``module`` (a path below src/sdistguard): its folder's place in :data:`LAYERS`,
    one above them all for :data:`TOP_LEVEL`; ``None`` for a module in no layer."""
    if module in TOP_LEVEL:
        return len(LAYERS), "top level"
    folder = module.split("/")[0] if "/" in module else ""
    for rank, names in enumerate(LAYERS):
        if folder in names:
            return rank, folder
    return None


def layer_problems(sources: dict[str, ast.AST]) -> list[str]:
    """What breaks the layering in ``sources`` (``{path below src/sdistguard: parsed module}``): each module
    in no layer, and each import (anywhere: in functions, under ``TYPE_CHECKING``) of a module of a higher
    layer, ``from sdistguard import x`` reaching the package's ``__init__`` (the top level) included."""
    paths = {_module_name(module): module for module in sources}
    known = set(paths)
    problems = [f"{module}: in no layer folder" for module in sources if layer_rank(module) is None]
    for module, tree in sources.items():
        own = layer_rank(module)
        if own is None:
            continue
        for imported in sorted(imported_modules(module, tree, known)):
            theirs = layer_rank(paths[imported])
            if theirs is not None and theirs[0] > own[0]:
                problems.append(f"{module} ({own[1]}) imports {imported} ({theirs[1]})")
    return problems


def test_every_module_is_in_a_layer_and_imports_only_its_own_or_lower_layers() -> None:
    sources = {module: _tree(module) for module in MODULES}
    populated = {rank[1] for module in MODULES if (rank := layer_rank(module)) is not None}
    assert populated == {"top level", *(name for names in LAYERS for name in names)}  # every layer is read
    assert layer_problems(sources) == []


def test_the_layer_check_sees_a_stray_module_and_imports_that_go_up() -> None:
    sources = {
        "__init__.py": ast.parse("__version__ = '1'\n"),
        "core/a.py": ast.parse("def f():\n    from sdistguard.audit import run\n"),
        "builders/b.py": ast.parse(
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sdistguard.cli import main\n"),
        "git/c.py": ast.parse("from sdistguard import __version__\nimport sdistguard.core.a\n"),
        "audit/__init__.py": ast.parse(""),
        "audit/run.py": ast.parse("from sdistguard.builders.b import x\nfrom sdistguard.report import y\n"),
        "report/__init__.py": ast.parse("from . import table\n"),
        "report/table.py": ast.parse("from ..audit import run\n"),
        "cli/__init__.py": ast.parse(""),
        "stray.py": ast.parse("import sdistguard.core.a\n"),
    }
    assert layer_problems(sources) == [
        "stray.py: in no layer folder",
        "core/a.py (core) imports sdistguard.audit (audit)",
        "core/a.py (core) imports sdistguard.audit.run (audit)",
        "builders/b.py (builders) imports sdistguard.cli (cli)",
        "git/c.py (git) imports sdistguard (top level)",
        "audit/run.py (audit) imports sdistguard.report (report)",
    ]


# --------------------------------------------------------------------------- README's Layout names every module


def layout_modules(readme: str) -> set[str]:
    """The module paths README.md's "Layout" block names below ``src/sdistguard/``, relative to it.

    A line whose first word ends with ``/`` opens a folder for the lines indented deeper; every ``*.py``
    word on a line is a module of the innermost open folder (``core/  errors.py`` is ``core/errors.py``).
    """
    section = readme.split("### Layout", 1)[1].split("```", 2)[1]
    named: set[str] = set()
    folders: list[tuple[int, str]] = []
    for line in section.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        while folders and folders[-1][0] >= indent:
            folders.pop()
        first = line.split()[0]
        if first.endswith("/"):
            folders.append((indent, first))
        prefix = "".join(folder for _, folder in folders)
        named.update(prefix + word for word in re.findall(r"[\w/]*\w\.py\b", line))
    return {path.removeprefix("src/sdistguard/") for path in named if path.startswith("src/sdistguard/")}


def test_readme_layout_names_every_module_and_no_other() -> None:
    named = layout_modules((REPO / "README.md").read_text(encoding="utf-8"))
    assert sorted(set(MODULES) - named) == [], "modules README.md's Layout does not name"
    assert sorted(named - set(MODULES)) == [], "names in README.md's Layout that are no module"


def test_the_layout_check_reads_folders_by_indentation() -> None:
    readme = ("### Layout\n\n```\nbuild.py  the hooks\nsrc/sdistguard/\n  a.py b.py  the top\n  core/     x.py;\n"
              "                y.py (more)\n    z.py    deeper\n  git/      w.py\n  c.py\ntests/  t.py\n```\n")
    assert layout_modules(readme) == {"a.py", "b.py", "core/x.py", "core/y.py", "core/z.py", "git/w.py", "c.py"}


# --------------------------------------------------------------------------- one decision for hatchling's errors


def error_policy_copies(module: str, tree: ast.AST) -> list[str]:
    """Where ``module`` decides hatchling's errors itself: a use of ``user_fault``, ``raised_by`` or
    ``HATCHLING_USER_ERRORS`` outside core/errors.py, or a ``project_errors(...)`` given its own wrapper
    (the message is :class:`~sdistguard.core.errors.ProjectError`'s)."""
    if module == "core/errors.py":
        return []
    found = []
    for node in ast.walk(tree):
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else (
            node.name if isinstance(node, ast.alias) else None)
        if name in ("user_fault", "raised_by", "HATCHLING_USER_ERRORS"):
            found.append(f"{module}:{getattr(node, 'lineno', 0)}: {name}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "project_errors" and (
                node.args or any(keyword.arg == "wrap" for keyword in node.keywords)):
            found.append(f"{module}:{node.lineno}: project_errors with a wrapper")
    return found


def test_hatchlings_errors_are_judged_and_worded_in_one_place() -> None:
    copies = [copy for module in MODULES for copy in error_policy_copies(module, _tree(module))]
    assert copies == []
    users = {module for module in MODULES if "project_errors(" in (PACKAGE / module).read_text(encoding="utf-8")}
    assert {"build.py", "cli/explain.py", "audit/run.py"} <= users


def test_the_error_policy_check_sees_a_copy() -> None:
    tree = ast.parse("from sdistguard.core.errors import user_fault\n"
                     "with project_errors(lambda e, p: X(p)):\n    pass\nwith project_errors(root=r):\n    pass\n"
                     "try:\n    pass\nexcept errors.HATCHLING_USER_ERRORS:\n    pass\n")
    assert error_policy_copies("audit/run.py", tree) == [
        "audit/run.py:1: user_fault", "audit/run.py:2: project_errors with a wrapper",
        "audit/run.py:8: HATCHLING_USER_ERRORS",
    ]
