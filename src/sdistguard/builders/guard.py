"""hatchling's three walks with the guarded walk underneath, for the sdist and the wheel builder.

:class:`Guard` (a mixin of both builders): ``recurse_project_files``, ``recurse_explicit_files`` and
``recurse_forced_files`` of hatchling's ``BuilderInterface`` mirror hatchling's selection logic line
for line; it computes each walk's facts, asks hatchling once per path, turns the walk's records into
hatchling's ``IncludedFile`` and checks their names; the checks and the atomic delivery of the
artifact live here too. The builders are :mod:`sdistguard.builders.sdist` (``GuardedSdistBuilder``,
one tar member per file through :mod:`sdistguard.builders.sdist_writer`: hook -> that module -> this
one -> the walk -> the writer) and :mod:`sdistguard.builders.wheel`: a wheel build loads neither
hatchling's sdist module nor tarfile.
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from hatchling.builders.constants import EXCLUDED_DIRECTORIES, EXCLUDED_FILES
from hatchling.builders.plugin.interface import BuilderInterface, IncludedFile
from hatchling.builders.utils import normalize_archive_path
from hatchling.utils.constants import DEFAULT_BUILD_SCRIPT, DEFAULT_CONFIG_FILE

from sdistguard.builders.content import ContentLog
from sdistguard.builders.include import IncludePath
from sdistguard.core.config import Settings, load_settings
from sdistguard.core.errors import TreeError
from sdistguard.core.paths import is_within, relative_to
from sdistguard.core.patterns import could_match_below, negations, to_posix
from sdistguard.git.vcs import forget_listings
from sdistguard.rules import CACHEDIR_SIGNATURE, Finding, blocking_findings, finding
from sdistguard.rules.names import NameCheck
from sdistguard.walk import Decide, EntryKind, FindingsLog, GuardedWalker, Verdict, WalkFacts

PruneCallback = Callable[[str, str], bool]
"""hatchling's directory exclusion: ``(name, parent)``, ``parent`` hatchling's relative path of its directory."""

if TYPE_CHECKING:
    from sdistguard.rules.links import Reached
    _Base = BuilderInterface[Any, Any]
else:
    _Base = object

__all__ = ["Guard"]


class Guard(_Base):
    """The walk overrides shared by both builders (a mixin placed before hatchling's builder class).

    Constructed like hatchling's builders, plus ``config_settings`` (PEP 517, keyword only). Public
    beyond hatchling's interface: :meth:`walk_included_files` (each file with the walk that chose
    it), :meth:`check_names` (the SG401-SG404 name checks, as findings), :attr:`findings`,
    :meth:`check`, :meth:`build_guarded` and :meth:`ignore_line`. The builder owns the build's one
    :class:`~sdistguard.walk.FindingsLog` (:attr:`log`) and hands it down: to the walker (with each
    walk's :class:`~sdistguard.walk.WalkFacts`; the walker yields records, nothing else comes back) and
    to the writers (:attr:`content`); its own findings (names, hatchling's forced files, the size) go
    into the same log.
    """

    def __init__(self, *args: Any, config_settings: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config_settings = config_settings
        self._content: ContentLog | None = None
        self._names = NameCheck()
        self.log = FindingsLog()
        """The findings of this builder's walks, its checks and its writers (:attr:`findings` reads them)."""
        self._private: str | None = None  # resolved private output directory of the running build

    @cached_property
    def settings(self) -> Settings:
        """``[tool.sdistguard]`` plus the PEP 517 config settings; raises ``ConfigError``."""
        return load_settings(self.raw_config, self.config_settings)

    @cached_property
    def walker(self) -> GuardedWalker:
        """The walker of this build; its findings are what the build left out or rewrote.

        Made when the first walk starts, after hatchling ran the build hooks' ``initialize``: a git listing
        started ahead (:func:`sdistguard.git.vcs.start_listing`, by the build hooks) is dropped here unless
        no project code could have changed the tree since (:meth:`_ran_no_project_code`).
        """
        if not self._ran_no_project_code():
            forget_listings()
        return GuardedWalker(self.root, self.settings, use_gitignore=not self.config.ignore_vcs, log=self.log)

    def _ran_no_project_code(self) -> bool:
        """True when no code of the project can have run: no build hook (hatchling's enabled ``hook_config``), no
        metadata hook, and a static version or hatchling's ``regex`` source (which only reads a file). Any
        error reading that answers False (read in hatchling 1.33's ``builders/config.py`` and
        ``metadata/core.py``)."""
        try:
            hatch = self.metadata.hatch
            return not (self.config.hook_config or hatch.metadata.hook_config or (
                "version" in self.metadata.dynamic and hatch.version.source_name != "regex"))
        except Exception:
            return False

    @property
    def content(self) -> ContentLog:
        """The secrets and sizes the writer of the current artifact saw (a new log per :meth:`build_guarded`)."""
        if self._content is None:
            self._content = ContentLog(self.root, self.settings, self.log)
        return self._content

    @property
    def findings(self) -> list[Finding]:
        """Everything this builder's walks left out or rewrote, in walk order, then the secrets its writer found.

        Reads :attr:`log`; runs nothing (git was asked when each walk settled).
        """
        return self.log.findings()

    def ignore_line(self, path: str) -> str | None:
        """The ignore file, line and pattern (``"FILE:LINE: PATTERN"``) git names for ``path`` (project-relative
        POSIX), after a walk; else ``None``."""
        return self.walker.ignore_line(path)

    # --- the three walks of hatchling's BuilderInterface, with ours underneath ---

    def recurse_project_files(self) -> Iterable[IncludedFile]:
        """hatchling's ``recurse_project_files`` (paths relative to the project root), guarded."""
        return self._files_below(self.root, "", False, self.config.directory_is_excluded)

    def recurse_selected_project_files(self) -> Iterable[IncludedFile]:
        """hatchling's ``recurse_selected_project_files`` (only-include, else the project walk), guarded.

        Names are not checked here: hatchling's editable wheel reads this selection only to find
        the packages, and writes none of it; :meth:`recurse_included_files` checks what is written.
        """
        if self.config.only_include:
            yield from self._explicit_files(self.config.only_include)
        else:
            yield from self.recurse_project_files()

    def recurse_explicit_files(self, inclusion_map: dict[str, str]) -> Iterable[IncludedFile]:
        """hatchling's ``recurse_explicit_files`` (only-include, packages, shared data), guarded.

        A named file is taken as asked, even a link leaving the tree; inside a named directory the
        rules apply, but not git's ignore rules: hatchling reads no ignore file for these maps (it
        matches its patterns against the target paths), so what they name ships, a build hook's
        output in a git-ignored ``build/`` included. Every file passes the name check (the wheel's
        ``shared-data``, ``shared-scripts``, ``extra-metadata`` and SBOM files are written from here;
        the project's own only-include and packages walk is :meth:`recurse_selected_project_files`).
        """
        return self.check_names(self._explicit_files(inclusion_map, named=True))

    def _explicit_files(self, inclusion_map: dict[str, str], *, named: bool = False) -> Iterator[IncludedFile]:
        config = self.config
        for source, target_path in inclusion_map.items():
            relative_path = relative_to(source, self.root)
            external = relative_path is None
            if os.path.isfile(source):
                distribution_path = config.get_distribution_path(target_path)
                if not config.path_is_reserved(distribution_path):
                    yield IncludedFile(source, relative_path or "", distribution_path)
            elif os.path.isdir(source):
                yield from self._files_below(source, target_path, True, _excluded_name, external=external,
                                             named=named)

    def recurse_forced_files(self, inclusion_map: dict[str, str]) -> Iterable[IncludedFile]:
        """hatchling's ``recurse_forced_files`` (force-include, readme, license files), guarded.

        A named file is copied in even when it is a link leaving the tree (a monorepo's
        ``LICENSE -> ../../LICENSE``); below a named directory git's ignore rules do not apply (as
        in hatchling: a build hook's ``force_include`` of a git-ignored directory ships); raises
        ``FileNotFoundError`` for a missing source, as hatchling does. Every file passes the name check.
        """
        return self.check_names(self._forced_files(inclusion_map))

    def _forced_files(self, inclusion_map: dict[str, str]) -> Iterator[IncludedFile]:
        config = self.config
        unnamed = self._hatchlings_own_forced_files()
        for source, target_path in inclusion_map.items():
            if source in unnamed and not self._forced_unnamed_file_ships(source):
                continue
            relative_path = relative_to(source, self.root)
            external = relative_path is None
            if os.path.isfile(source):
                yield IncludedFile(source, relative_path or "", config.get_distribution_path(target_path))
            elif os.path.isdir(source):
                yield from self._files_below(source, target_path, None, _excluded_name, external=external)
            else:
                message = f"Forced include not found: {source}"
                raise FileNotFoundError(message)

    def recurse_included_files(self) -> Iterable[IncludedFile]:
        """hatchling's selection (its two lines), streamed; every file passes the name check.

        A file whose name installers refuse is held back (zipfile cannot even store a name that is
        not UTF-8) and recorded as an SG401 finding; the build then fails in :meth:`check` with
        every such name listed.
        """
        for _, included in self.walk_included_files():
            yield included

    def walk_included_files(self) -> Iterator[tuple[str, IncludedFile]]:
        """:meth:`recurse_included_files` with the walk that chose each file: ``(walk, included)``.

        ``walk`` is ``"project"`` (the whole tree), ``"explicit"`` (only-include, or the wheel's
        packages) or ``"forced"`` (force-include, pyproject.toml, readme, license files); paths as
        in hatchling's ``IncludedFile`` (``relative_path`` relative to the project root, ``""``
        outside it). Every file has passed :meth:`check_names`, so refused names are findings here
        as in the build (``sdistguard explain`` and the directory preview read this). Call inside
        ``config.set_build_data``; raises what hatchling raises for a bad project.
        """
        self._names = NameCheck()  # one artifact's members (the wheel's shared data joins them later)
        walk = "explicit" if self.config.only_include else "project"
        for included in self.check_names(self.recurse_selected_project_files()):
            yield walk, included
        for included in self.recurse_forced_files(self.config.get_force_include()):
            yield "forced", included

    def check_names(self, files: Iterable[IncludedFile]) -> Iterator[IncludedFile]:
        """``files`` minus those whose distribution path installers refuse, each recorded as SG401.

        The finding names the file as the project knows it (relative to the root, or absolute for
        a file outside it); its detail says what is wrong with the name. The names that ship are
        checked further: a name Windows refuses is SG402, a twin of an earlier member up to case or
        Unicode normalisation SG403 (both stop the build, in :meth:`check`), a path past
        :data:`~sdistguard.rules.names.PATH_BUDGET` SG404 (a warning). The checks are
        :class:`sdistguard.rules.names.NameCheck`'s, the auditor's own: a refused directory is named once.
        """
        for included in files:
            member = normalize_archive_path(included.distribution_path)
            found, refused = self._names.check(member, to_posix(included.relative_path or included.path))
            for each in found:
                self.log.add(each)
            if not refused:
                yield included

    def _hatchlings_own_forced_files(self) -> set[str]:
        """Absolute paths hatchling force-includes by itself, not named by the user.

        ``hatch.toml`` and ``hatch_build.py`` at the root, and the ``.gitignore``/``.hgignore``
        hatchling found from the root up (hatchling's ``SdistBuilder.get_default_build_data``),
        minus what ``force-include`` names. Everything else in a forced inclusion map is named:
        ``pyproject.toml``, the ``readme``, the ``license-files``, ``force-include`` and what build
        hooks force-include.
        """
        root = self.root
        own = {os.path.join(root, DEFAULT_CONFIG_FILE), os.path.join(root, DEFAULT_BUILD_SCRIPT)}
        for files in self.config.vcs_exclusion_files.values():
            own.update(files)
        return own - set(self.config.force_include)

    def _forced_unnamed_file_ships(self, source: str) -> bool:
        """Decide on one of hatchling's own forced files: False when it is left out (never read).

        Inside the root but a link leaving it: left out, SG201. In a parent directory of the root (a
        ``.gitignore`` hatchling found upward, with no ``.git`` in between): shipped as hatchling
        does, SG105 naming the file.
        """
        if not is_within(source, self.root):
            detail = f"shipped as {os.path.basename(source)}"
            self.log.add(finding("parent-ignore-file", to_posix(source), detail))
            return True
        real, path = os.path.realpath(source), to_posix(os.path.relpath(source, self.root))
        target = os.readlink(source) if os.path.islink(source) else real
        from sdistguard.rules.links import classify_link

        if classify_link(path, target, _as_hatchling_reads, real=real, boundary=os.path.realpath(self.root)) is None:
            return True  # the links family's rule: it leaves the project or not (hatchling reads what is there)
        self.log.add(finding("external-link", path, f"-> {target}"))
        return False

    # --- checks, after the artifact is written privately and before it is moved in ---

    def check(self) -> None:
        """Raise :class:`TreeError` when this build must not be delivered.

        What blocks is decided by :func:`sdistguard.rules.blocking_findings` (the same decision
        ``sdistguard check DIR`` shows): every file name installers refuse, every external link under
        ``external-links = "error"``, and under ``strict`` every warning-level finding.
        """
        blocking = blocking_findings(self.findings, self.settings)
        if blocking:
            setting = " (strict)" if self.settings.strict else ""
            raise TreeError.from_findings(f"cannot build the {self.PLUGIN_NAME}{setting} of {self.root}:", blocking)

    def build_guarded(self, directory: str, build: Callable[[str], str]) -> str:
        """Run ``build`` in a private directory inside ``directory``, check, then move the artifact in whole.

        hatchling writes to the system temp dir and copies across file systems, which can leave a
        half-written artifact behind; here its temp files live in the private directory too (removed
        on any error) and the artifact arrives by one ``os.replace``. For that, the process-wide
        ``tempfile.tempdir`` points into the private directory while ``build`` runs (restored after):
        hatchling's archives call ``tempfile.mkstemp`` without ``dir`` and accept none (read in
        hatchling 1.33's ``builders/sdist.py`` and ``builders/wheel.py``). The private directory carries
        a ``CACHEDIR.TAG`` naming this process: should the build be killed, the cache rule (SG103)
        leaves it out of any later build, and the next build into ``directory`` removes it.
        """
        os.makedirs(directory, exist_ok=True)
        remove_stale_private_dirs(directory)
        private = tempfile.mkdtemp(prefix=PRIVATE_PREFIX, dir=directory)
        _write_private_tag(private)
        self._private = os.path.realpath(private)  # an output directory inside the tree is never walked
        # Process-wide, for the build's duration: hatchling's SdistArchive and WheelArchive create
        # their file with tempfile.mkstemp(suffix=...) and no dir (hatchling/builders/sdist.py and
        # wheel.py, __init__), and take no parameter for one; tempfile.tempdir is the only way to keep
        # that half-written file inside the private directory. PEP 517 hooks run one at a time.
        saved, tempfile.tempdir = tempfile.tempdir, private
        self.log.begin_artifact()  # the writers' findings are this artifact's
        self._content = ContentLog(self.root, self.settings, self.log)
        try:
            built = build(private)
            limit = self.settings.max_sdist_size if self.PLUGIN_NAME == "sdist" else self.settings.max_wheel_size
            too_big = self._content.size_finding(built, self.PLUGIN_NAME, limit)
            if too_big is not None:
                self.log.add(too_big)
            self.check()
            target = os.path.join(directory, os.path.basename(built))
            os.replace(built, target)
            return target
        finally:
            tempfile.tempdir = saved
            self._private = None
            shutil.rmtree(private, ignore_errors=True)

    # --- helpers ---

    def _files_below(self, top: str, prefix: str, explicit: bool | None, hatchling_prune: PruneCallback,
                     *, external: bool = False, named: bool = False) -> Iterator[IncludedFile]:
        """The guarded walk of ``top`` (absolute): an ``IncludedFile`` per file hatchling ships.

        Its ``relative_path`` is hatchling's (``prefix``, hatchling's ``target_path``, joined with
        the path below ``top``), or ``""`` when ``top`` is ``external`` (outside the project root,
        as hatchling does). ``explicit`` is hatchling's ``include_path(explicit=...)``: ``False`` for
        the project walk, ``True`` for only-include and packages, ``None`` for force-include (no
        patterns at all). ``named``: ``top`` is a source the user named in one of the wheel's maps
        (:class:`~sdistguard.walk.WalkFacts` ``named``; a force-include walk always is). The walk's
        facts are computed here, before walking; the walk's records are turned into ``IncludedFile``
        without deciding again. Raises what hatchling raises for a malformed selection
        (``TypeError``/``ValueError``) and ``ConfigError`` (``untracked``).
        """
        include_path = IncludePath(self.config)
        facts = WalkFacts(
            prefix,
            self._decider(explicit, include_path, hatchling_prune),
            forced=explicit is None,
            artifacts_possible=include_path.artifacts_possible,
            private=self._private,
            named=named or explicit is None,
            may_ship_below=None if explicit is not False else self._may_ship_below(include_path),
            tracked_dropped=None if named or explicit is None else self._tracked_dropped(bool(explicit)),
        )
        for walked in self.walker.walk(top, facts):
            if walked.left_out is None:
                yield IncludedFile(walked.path, "" if external else walked.relative_path, walked.distribution_path)

    def _may_ship_below(self, include_path: IncludePath) -> Callable[[str], bool] | None:
        """For the project walk: whether hatchling's ``include`` patterns could select a file below a directory.

        ``None`` (always may) without an include list, with artifact patterns, or for a customised
        config; else a check by :func:`~sdistguard.core.patterns.could_match_below` on the include
        patterns' source text (errs on the side of ``True``).
        """
        spec = self.config.include_spec
        if spec is None or include_path.artifacts_possible or not include_path.compiled:
            return None
        patterns = [str(getattr(pattern, "pattern", "*")) for pattern in spec.patterns]

        def may(relative: str) -> bool:
            directory = to_posix(relative)
            return bool(spec.match_file(directory + "/")) or could_match_below(patterns, directory)

        return may

    def _tracked_dropped(self, explicit: bool) -> Callable[[str, bool], str | None] | None:
        """:func:`~sdistguard.builders.dropped.tracked_dropped_checker` for this config, as the walk asks it."""
        from sdistguard.builders.dropped import tracked_dropped_checker

        check = tracked_dropped_checker(self.config)
        if check is None:
            return None
        return lambda relative, is_package: check(relative, is_package, explicit)

    def _decider(self, explicit: bool | None, include_path: IncludePath, hatchling_prune: PruneCallback) -> Decide:
        """hatchling's answer for one entry of a walk (:data:`sdistguard.walk.Decide`): the walk's one callback.

        For a file, hatchling's loop body (``recurse_project_files``, ``recurse_explicit_files``,
        ``recurse_forced_files``): fixed excluded names, reserved distribution paths, then
        ``include_path``. ``named``: an artifact pattern or a reserved (forced) path names it, never
        in a force-include walk. For a directory, :meth:`_pruner`'s answer. A link gets both (the
        walk does not yet know what it is): named as a file or as a directory (``path/``).
        """
        config = self.config
        get_distribution_path = config.get_distribution_path
        path_is_reserved = config.path_is_reserved
        forced = explicit is None
        # an artifact pattern is looked for when there is one (a customised config is always asked)
        artifacts = not forced and (include_path.artifacts_possible or not include_path.compiled)
        # force-include applies no patterns at all: only hatchling's fixed directory names prune it
        prune = hatchling_prune if forced else self._pruner(include_path, hatchling_prune)

        def named(relative: str) -> bool:
            return include_path.is_artifact(relative) or path_is_reserved(get_distribution_path(relative))

        def decide(relative: str, kind: EntryKind, is_package: bool) -> Verdict:
            if kind == "directory":
                return Verdict(None, not forced and named(relative + os.sep), _pruned(prune, relative))
            distribution_path: str | None = get_distribution_path(relative)
            reserved = path_is_reserved(distribution_path)
            artifact = artifacts and include_path.is_artifact(relative)
            if reserved or relative.rpartition(os.sep)[2] in EXCLUDED_FILES or not (
                forced or include_path.selects(relative, explicit=bool(explicit), is_package=is_package,
                                               artifact=artifact)
            ):
                distribution_path = None
            if kind == "file":
                return Verdict(distribution_path, not forced and (artifact or reserved))
            return Verdict(distribution_path, not forced and (artifact or reserved or named(relative + os.sep)),
                           _pruned(prune, relative))

        return decide

    def _pruner(self, include_path: IncludePath, hatchling_prune: PruneCallback) -> PruneCallback:
        """hatchling's own directory pruning, plus pruning of directories excluded as a whole.

        Called as ``prune(name, parent)`` with ``parent`` hatchling's relative path of the directory
        holding ``name``. A directory matched by hatchling's exclude patterns is skipped whole only
        when nothing below it could come back: no artifact pattern, and no negation that could reach
        below it (hatchling matches file by file, so ``!keep.txt`` re-includes below an excluded dir).
        """
        config = self.config
        artifacts_possible = include_path.artifacts_possible

        @functools.cache
        def blockers() -> list[str]:  # read when first needed, as hatchling reads its exclude patterns
            return negations(config.exclude_spec)

        def prune(name: str, parent: str) -> bool:
            if hatchling_prune(name, parent):
                return True
            relative = os.path.join(parent, name)
            return bool(
                not artifacts_possible
                and include_path.is_excluded(f"{relative}/")
                and not could_match_below(blockers(), to_posix(relative))
            )

        return prune


def _as_hatchling_reads() -> Reached:
    """What a forced file inside the project reaches, for :func:`~sdistguard.rules.links.classify_link`: a file
    (hatchling reads it as it finds it; only whether it leaves the project is decided here)."""
    return "file"


def _pruned(prune: PruneCallback, relative: str) -> bool:
    """``prune(name, parent)`` for the directory at hatchling's relative path ``relative``."""
    parent, name = os.path.split(relative)
    return prune(name, parent)


PRIVATE_PREFIX = ".sdistguard-"
_PRIVATE_TAG = "# sdistguard private build directory: host {host}, pid {pid}\n"


def _write_private_tag(private: str) -> None:
    """Write the Cache Directory Tagging Specification's ``CACHEDIR.TAG`` into a private build directory."""
    with open(os.path.join(private, "CACHEDIR.TAG"), "w", encoding="ascii") as tag:
        tag.write(CACHEDIR_SIGNATURE.decode("ascii") + "\n")
        tag.write(_PRIVATE_TAG.format(host=_host(), pid=os.getpid()))
        tag.write("# removed when the build ends; see https://bford.info/cachedir/\n")


def remove_stale_private_dirs(directory: str) -> list[str]:
    """Remove the private directories that killed builds left in ``directory``; return their paths.

    Only a real directory named ``.sdistguard-*`` whose regular ``CACHEDIR.TAG`` names this host and
    a process that no longer exists is removed: a build still running (a parallel wheel build into
    the same directory) keeps its own, and nothing sdistguard did not make is touched.
    """
    removed: list[str] = []
    try:
        entries = [entry for entry in os.scandir(directory) if entry.name.startswith(PRIVATE_PREFIX)]
    except OSError:
        return removed
    for entry in entries:
        pid = _private_dir_owner(entry)
        if pid is not None and not _process_exists(pid):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def _private_dir_owner(entry: os.DirEntry[str]) -> int | None:
    """The pid a private directory's tag names, when the tag is ours and written on this host."""
    tag = os.path.join(entry.path, "CACHEDIR.TAG")
    try:
        if not entry.is_dir(follow_symlinks=False) or not stat.S_ISREG(os.lstat(tag).st_mode):
            return None
        with open(tag, encoding="ascii", errors="replace") as file:
            text = file.read(4096)
    except OSError:
        return None
    prefix = _PRIVATE_TAG.format(host=_host(), pid="")[:-1]
    for line in text.splitlines():
        if line.startswith(prefix) and line[len(prefix):].isdigit():
            return int(line[len(prefix):])
    return None


def _process_exists(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there: never remove
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else (EPERM)
        return True
    return True


def _host() -> str:
    import socket

    return socket.gethostname()


def _excluded_name(name: str, parent: str) -> bool:
    return name in EXCLUDED_DIRECTORIES
