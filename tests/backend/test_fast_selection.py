"""The per-file selection runs faster than hatchling's and answers exactly as hatchling does.

``SpecMatcher`` (one combined regular expression before pathspec) against ``spec.match_file`` on
hypothesis-generated gitignore patterns and paths; ``IncludePath`` against hatchling's own
``BuilderConfig.include_path`` on real project configs, file by file of a real tree; and the
moments hatchling reads its selection (exclude-all set during a walk, exclude patterns never read
when every file is an artifact), through real builds with both backends.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pathspec
import pytest
from hatchling.builders.sdist import SdistBuilder, SdistBuilderConfig
from hatchling.builders.wheel import WheelBuilder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import members, wheel_members, write_project
from sdistguard.builders.include import IncludePath
from sdistguard.core.patterns import SpecMatcher, _without_group_names
from sdistguard.rules import unportable_reason

# Characters that mean something to gitignore, to pathspec's translation, or to Python's re.
PATTERN_CHARACTERS = "ab./*?[]!^-\\#() P<>=:|$+{}1"
PATH_PART = st.text(alphabet="ab.-_ ?*[]()P<>\\", min_size=1, max_size=4)

pytestmark = pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")  # pathspec's compile

fast_settings = settings(max_examples=400, deadline=None, derandomize=True,
                         suppress_health_check=[HealthCheck.too_slow])


@fast_settings
@given(
    lines=st.lists(st.text(alphabet=PATTERN_CHARACTERS, min_size=1, max_size=8), min_size=1, max_size=6),
    paths=st.lists(st.lists(PATH_PART, min_size=1, max_size=4).map("/".join), min_size=1, max_size=8),
    directory=st.booleans(),
)
def test_spec_matcher_answers_as_pathspec(lines: list[str], paths: list[str], directory: bool) -> None:
    try:
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # pathspec refuses some patterns outright (hatchling would fail the same way)
        return
    matcher = SpecMatcher(spec, prefilter_after=0)  # every call through the prefilter
    for path in paths:
        path += "/" if directory else ""
        assert answer(matcher, path) == answer(spec.match_file, path), (lines, path, matcher.prefilter)


def answer(match_file: Callable[[str], bool], path: str) -> bool | str:
    """The answer, or the error raised (pathspec 0.10 raises IndexError for ``**``): both must agree."""
    try:
        return match_file(path)
    except Exception as error:
        return type(error).__name__


def test_prefilter_is_built_for_hatchlings_default_excludes(project: Path) -> None:
    (project / ".gitignore").write_text("build/\n*.log\n!keep.log\n/dist\n")
    spec = SdistBuilder(str(project)).config.exclude_spec
    matcher = SpecMatcher(spec)
    assert matcher.prefilter is not None  # else every file goes the slow way, and this module tests nothing
    assert not matcher.prefilter.search("src/demo/__init__.py")
    assert matcher("a/build/x") and matcher("x.log") and not matcher("keep.log")


def test_a_few_paths_are_answered_without_compiling_the_prefilter() -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(["*.pyc", "build/", "!keep.pyc"])
    matcher = SpecMatcher(spec, prefilter_after=3)
    paths = ["a.pyc", "keep.pyc", "src/a.py", "x/build/y", "b.pyc", "keep.pyc"]
    answers = []
    for number, path in enumerate(paths):
        answers.append(matcher(path))
        assert matcher._compiled == (number >= 3)  # compiled on the first call past the third
    assert answers == [spec.match_file(path) for path in paths] == [True, False, False, True, True, False]


def test_no_spec_matches_nothing() -> None:
    assert SpecMatcher(None)("anything") is False


def test_specs_pathspec_did_not_compile_go_to_pathspec_alone() -> None:
    class Everything(pathspec.GitIgnoreSpec):
        def match_file(self, file: object, separators: object = None) -> bool:
            return True

    custom = Everything.from_lines(["*.pyc"])
    assert SpecMatcher(custom).prefilter is None and SpecMatcher(custom)("a.py")


@pytest.mark.parametrize(
    ("path", "reason"),
    [(" a:b", "starts or ends with a space"), ("a: b", "contains ':'"), ("a\\ /b", "contains a backslash"),
     ("x/y.py", None)],
)
def test_the_first_problem_of_a_name_is_named(path: str, reason: str | None) -> None:
    assert unportable_reason(path) == reason


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("^(?:.+/)?build(?P<ps_d>/)", ("^(?:.+/)?build(?:/)", False)),
        ("^a[(?P<x>]b", ("^a[(?P<x>]b", False)),  # inside a character class: text, not a group
        ("^a[]?P<x>]b", ("^a[]?P<x>]b", False)),  # a ] right after [ belongs to the class
        ("^a[^]?P<x>]b", ("^a[^]?P<x>]b", False)),
        (r"^a\(?P<x>b", (r"^a\(?P<x>b", False)),  # an escaped parenthesis is no group
        ("^(?:a|b)c", ("^(?:a|b)c", False)),
        ("^a|b", ("^a|b", True)),  # a top-level alternation: the floating prefix cannot be shared
        ("^a[|]b\\|", ("^a[|]b\\|", False)),
        (r"^(?P<x>a)\1", None),  # back-references would change meaning in an alternation
        ("^(?P<x>a)(?P=x)", None),
        ("^(a)?(?(1)b|c)", None),  # so would a numbered conditional
    ],
)
def test_group_names_are_dropped_only_from_groups(expression: str, expected: tuple[str, bool] | None) -> None:
    assert _without_group_names(expression) == expected


def test_floating_patterns_share_their_prefix() -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(["*.pyc", "build/", "/dist", "docs/_build/"])
    prefilter = SpecMatcher(spec).prefilter
    assert prefilter is not None and prefilter.pattern.count("^(?:.+/)?") == 1
    for path in ("a/b.pyc", "x/build/y", "dist/z", "docs/_build/q", "src/a.py", "a/dist/b"):
        assert bool(prefilter.search(path)) == any(p.regex.search(path) for p in spec.patterns if p.include)


class CustomConfig(SdistBuilderConfig):
    def include_path(self, relative_path: str, *, explicit: bool = False, is_package: bool = True) -> bool:
        return relative_path.endswith(".txt")


def tree_paths(root: Path) -> list[tuple[str, bool]]:
    """Every file of ``root`` as hatchling asks about it: (path relative to root, is_package)."""
    found = []
    for directory, _dirs, files in os.walk(root):
        for name in files:
            found.append((os.path.relpath(os.path.join(directory, name), root), "__init__.py" in files))
    return found


PROJECT_SETTINGS = [
    "",
    '[tool.hatch.build]\nexclude = ["*.txt", "!keep.txt", "/docs/_build"]\n',
    '[tool.hatch.build]\ninclude = ["src", "docs/*.md"]\nartifacts = ["*.so", "docs/_build/"]\n',
    '[tool.hatch.build.targets.sdist]\nonly-packages = true\nexclude = ["tests/data/"]\n',
    '[tool.hatch.build.targets.wheel]\npackages = ["src/demo"]\nexclude = ["**/fixtures"]\n',
]


@pytest.mark.parametrize("extra", PROJECT_SETTINGS)
@pytest.mark.parametrize("builder_class", [SdistBuilder, WheelBuilder])
def test_include_path_answers_as_hatchling(tmp_path: Path, extra: str, builder_class: type) -> None:
    project = write_project(tmp_path / "project", extra=extra)
    for relative in ("docs/index.md", "docs/_build/a.html", "keep.txt", "notes.txt", "tests/data/x.so",
                     "src/demo/lib.so", "src/demo/fixtures/f.txt", "build/lib/x.py", "a b/c.pyc"):
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text("x")
    (project / ".gitignore").write_text("build/\n*.pyc\n")
    builder = builder_class(str(project))
    build_data = builder.get_default_build_data()
    builder.set_build_data_defaults(build_data)
    build_data["artifacts"].append("tests/data/")
    with builder.config.set_build_data(build_data):
        include_path = IncludePath(builder.config)
        assert include_path.compiled
        answers = {
            (path, explicit): builder.config.include_path(path, explicit=explicit, is_package=is_package)
            for path, is_package in tree_paths(project)
            for explicit in (False, True)
        }
        assert {
            (path, explicit): include_path(path, explicit=explicit, is_package=is_package)
            for path, is_package in tree_paths(project)
            for explicit in (False, True)
        } == answers
        assert any(answers.values()) and not all(answers.values())


def test_a_customised_config_is_asked_as_it_is(project: Path) -> None:
    class Custom(SdistBuilder):
        @classmethod
        def get_config_class(cls) -> type[SdistBuilderConfig]:
            return CustomConfig

    include_path = IncludePath(Custom(str(project)).config)
    assert not include_path.compiled
    assert include_path("notes.txt", explicit=False, is_package=False)
    assert not include_path("src/demo/__init__.py", explicit=False, is_package=True)


def test_exclude_all_set_during_the_walk_is_seen(tmp_path: Path, build_in: Callable[..., Path]) -> None:
    """hatchling's wheel selection sets exclude-all mid-walk (editable, bypass-selection, no package)."""
    project = tmp_path / "project"
    (project / "share").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1.0"\n'
        '[tool.hatch.build.targets.wheel]\nbypass-selection = true\ndev-mode-dirs = ["."]\n'
        '[tool.hatch.build.targets.wheel.shared-data]\n"share" = "share"\n'
    )
    for name in ("a.txt", "b.txt"):
        (project / "share" / name).write_text("x")
    ours, theirs = (wheel_members(build_in(project, "editable", backend=backend))
                    for backend in ("sdistguard", "hatchling"))
    assert ours == theirs
    assert not any("share" in name for name in ours)


def test_exclude_patterns_are_read_only_when_needed(tmp_path: Path, build_in: Callable[..., Path]) -> None:
    """Every file an artifact: hatchling never compiles the root .gitignore, so a bad line in it is harmless."""
    project = write_project(tmp_path / "project", extra='[tool.hatch.build.targets.sdist]\nartifacts = ["*"]\n')
    (project / ".gitignore").write_text("foo\\\n")  # a trailing backslash: pathspec refuses the pattern
    ours, theirs = (members(build_in(project, "sdist", backend=backend)) for backend in ("sdistguard", "hatchling"))
    assert ours == theirs
