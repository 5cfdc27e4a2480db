"""hatchling's sdist builder with the guarded walk: every member a regular file, hatchling's bytes.

:class:`GuardedSdistBuilder` is :class:`~sdistguard.builders.guard.Guard` over hatchling's
``SdistBuilder``; it writes what the walk yields, one tar member per file
(:mod:`sdistguard.builders.sdist_writer`), so one file goes hook -> this module -> the guard -> the
walk -> the writer. Its own module, so that a wheel build loads neither hatchling's sdist module nor
tarfile and gzip.
"""

from __future__ import annotations

import os
from typing import Any

from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.utils import normalize_archive_path, normalize_artifact_permissions, replace_file

from sdistguard.builders.guard import Guard
from sdistguard.builders.sdist_writer import StreamedSdistArchive, TarfileSdistArchive

__all__ = ["GuardedSdistBuilder", "open_archive"]


class GuardedSdistBuilder(Guard, SdistBuilder):
    """hatchling's ``SdistBuilder`` with the guarded walk; every member is a regular file.

    Same constructor as hatchling's (``root`` absolute, ``config`` the whole pyproject dict), plus
    ``config_settings`` (PEP 517). ``build()`` yields the absolute path of the ``.tar.gz``.
    """

    def build_standard(self, directory: str, **build_data: Any) -> str:
        """Write the sdist into ``directory`` (atomically) and return its absolute path.

        hatchling's ``build_standard`` with one change: the tar file dereferences, so in-tree links
        and hardlinks become regular file members (PEP 721: any installer can unpack it). The
        archive is :class:`StreamedSdistArchive` (the same bytes as hatchling's, compressed on a
        second thread), or hatchling's own when that cannot be set up.
        """
        return self.build_guarded(directory, lambda private: self._write_sdist(private, build_data))

    def _write_sdist(self, directory: str, build_data: dict[str, Any]) -> str:
        found_packages = set()
        content = self.content
        with open_archive(self.artifact_project_id, reproducible=self.config.reproducible) as archive:
            for included_file in self.recurse_included_files():
                if self.config.support_legacy:
                    possible_package, file_name = os.path.split(included_file.relative_path)
                    if file_name == "__init__.py":
                        found_packages.add(possible_package)

                scanner = content.scanner(included_file)
                size = archive.add_path(
                    included_file.path,
                    normalize_archive_path(os.path.join(self.artifact_project_id, included_file.distribution_path)),
                    scanner,
                )
                content.record(included_file, included_file.distribution_path, size, scanner)

            # the generated members pass the same scan as the files (a README's token is in PKG-INFO too)
            pkg_info = self.config.core_metadata_constructor(
                self.metadata, extra_dependencies=build_data["dependencies"]
            ).encode("utf-8")
            content.scan_generated("PKG-INFO", pkg_info)
            archive.create_file(pkg_info, "PKG-INFO")
            if self.config.support_legacy:
                setup_py = self.construct_setup_py_file(
                    sorted(found_packages), extra_dependencies=build_data["dependencies"]
                ).encode("utf-8")
                content.scan_generated("setup.py", setup_py)
                archive.create_file(setup_py, "setup.py")

        target = os.path.join(directory, f"{self.artifact_project_id}.tar.gz")
        replace_file(archive.path, target)
        normalize_artifact_permissions(target)
        return target


def open_archive(name: str, *, reproducible: bool) -> StreamedSdistArchive | TarfileSdistArchive:
    """The archive the sdist is written with: the streamed one, else hatchling's own with tarfile."""
    try:
        return StreamedSdistArchive(name, reproducible=reproducible)
    except TypeError:
        return TarfileSdistArchive(name, reproducible=reproducible)
