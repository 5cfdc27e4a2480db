"""Run hatchling's own test suite with sdistguard's builders in place of hatchling's.

``hatchling_suite.py`` copies this file into the site-packages of its private venv as
``_sdistguard_compat_substitute.py`` and adds a ``.pth`` line that imports it at interpreter
start-up. When ``SDISTGUARD_COMPAT_SUBSTITUTE`` names a module (``sdistguard.builders``), the
names ``hatchling.builders.sdist.SdistBuilder`` and ``hatchling.builders.wheel.WheelBuilder`` (and
the copies ``hatchling.builders.plugin.hooks`` registers with the plugin manager) are rebound to
that module's ``GuardedSdistBuilder`` / ``GuardedWheelBuilder`` before any test module is imported.
So ``from hatchling.builders.sdist import SdistBuilder`` in hatch's tests, ``hatchling.build``'s
PEP 517 hooks, custom builders that subclass ``WheelBuilder`` and any ``hatchling build``
subprocess started by a test all get the guarded classes.

``SDISTGUARD_COMPAT_SRC`` (optional) is put first on ``sys.path`` so that ``sdistguard`` is
importable from the checkout without installing it.

The same module is loaded as a pytest plugin (``-p _sdistguard_compat_substitute``): it prints
which classes are in use, refuses to run if the substitution was asked for but is not in effect,
and applies ``tests/compat/expected_differences.toml`` (``SDISTGUARD_COMPAT_EXPECTED``): each
listed test is deselected (``SDISTGUARD_COMPAT_EXPECTED_MODE=deselect``, the default), or marked
``xfail(strict=True)`` (``xfail``: a listed test that passes fails the run, so stale entries show),
or left alone (``run``).

PYTEST_DONT_REWRITE (it is imported at start-up, before pytest could rewrite it).
"""

from __future__ import annotations

import os
import sys

ENV_MODULE = "SDISTGUARD_COMPAT_SUBSTITUTE"
ENV_SRC = "SDISTGUARD_COMPAT_SRC"
ENV_EXPECTED = "SDISTGUARD_COMPAT_EXPECTED"
ENV_EXPECTED_MODE = "SDISTGUARD_COMPAT_EXPECTED_MODE"

_installed: dict[str, type] = {}


def install(module_name: str) -> dict[str, type]:
    """Rebind hatchling's sdist/wheel builder names to the guarded classes of ``module_name``."""
    import importlib

    import hatchling.builders.plugin.hooks as hooks
    import hatchling.builders.sdist as sdist
    import hatchling.builders.wheel as wheel

    original_sdist, original_wheel = sdist.SdistBuilder, wheel.WheelBuilder
    guarded = importlib.import_module(module_name)
    guarded_sdist = guarded.GuardedSdistBuilder
    guarded_wheel = guarded.GuardedWheelBuilder
    if not (issubclass(guarded_sdist, original_sdist) and issubclass(guarded_wheel, original_wheel)):
        msg = f"{module_name}: the guarded builders must subclass hatchling's SdistBuilder/WheelBuilder"
        raise TypeError(msg)
    if guarded_sdist.PLUGIN_NAME != "sdist" or guarded_wheel.PLUGIN_NAME != "wheel":
        msg = f"{module_name}: PLUGIN_NAME must stay 'sdist' / 'wheel'"
        raise TypeError(msg)
    sdist.SdistBuilder = guarded_sdist
    wheel.WheelBuilder = guarded_wheel
    hooks.SdistBuilder = guarded_sdist
    hooks.WheelBuilder = guarded_wheel
    _installed.update(sdist=guarded_sdist, wheel=guarded_wheel)
    return dict(_installed)


def _startup() -> None:
    src = os.environ.get(ENV_SRC)
    if src and src not in sys.path:
        sys.path.insert(0, src)
    module_name = os.environ.get(ENV_MODULE)
    if module_name:
        install(module_name)


# --- pytest plugin -------------------------------------------------------------------------------


def _load_expected() -> list[dict[str, str]]:
    path = os.environ.get(ENV_EXPECTED)
    if not path or not os.path.isfile(path):
        return []
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: hatchling depends on tomli there
        import tomli as tomllib  # type: ignore[no-redef]
    with open(path, "rb") as f:
        data = tomllib.load(f)
    return list(data.get("difference", []))


def _matches(nodeid: str, entry: str) -> bool:
    return nodeid == entry or nodeid.startswith(entry + "[") or nodeid.startswith(entry + "::")


def pytest_report_header(config):  # type: ignore[no-untyped-def]
    import hatchling
    import hatchling.builders.sdist as sdist
    import hatchling.builders.wheel as wheel

    version = getattr(hatchling, "__version__", None)
    if version is None:
        from importlib.metadata import version as dist_version

        version = dist_version("hatchling")
    lines = [
        f"hatchling {version}",
        f"sdist builder: {sdist.SdistBuilder.__module__}.{sdist.SdistBuilder.__qualname__}",
        f"wheel builder: {wheel.WheelBuilder.__module__}.{wheel.WheelBuilder.__qualname__}",
    ]
    if os.environ.get(ENV_MODULE):
        lines.append(f"expected differences: {os.environ.get(ENV_EXPECTED)} "
                     f"(mode {os.environ.get(ENV_EXPECTED_MODE, 'deselect')})")
    return lines


def pytest_configure(config):  # type: ignore[no-untyped-def]
    module_name = os.environ.get(ENV_MODULE)
    if module_name:
        import hatchling.builders.sdist as sdist
        import hatchling.builders.wheel as wheel

        builders = (sdist.SdistBuilder.__module__, wheel.WheelBuilder.__module__)
        if not all(name == module_name or name.startswith(module_name + ".") for name in builders):
            msg = (f"{ENV_MODULE}={module_name} but hatchling's builders are "
                   f"{sdist.SdistBuilder.__module__}/{wheel.WheelBuilder.__module__}: the .pth hook did not run")
            raise RuntimeError(msg)


def pytest_collection_modifyitems(session, config, items):  # type: ignore[no-untyped-def]
    if not os.environ.get(ENV_MODULE):
        return
    mode = os.environ.get(ENV_EXPECTED_MODE, "deselect")
    entries = _load_expected()
    if mode == "run" or not entries:
        return
    import pytest

    used: set[str] = set()
    kept, deselected = [], []
    for item in items:
        hit = next((e for e in entries if _matches(item.nodeid, e["test"])), None)
        if hit is None:
            kept.append(item)
            continue
        used.add(hit["test"])
        if mode == "xfail":
            item.add_marker(pytest.mark.xfail(reason=f"sdistguard differs on purpose: {hit['reason']}", strict=True))
            kept.append(item)
        else:
            deselected.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
    config._sdistguard_unused_expected = [e["test"] for e in entries if e["test"] not in used]


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    unused = getattr(config, "_sdistguard_unused_expected", [])
    if unused and not config.getoption("deselect", None) and not config.getoption("keyword", None):
        terminalreporter.write_sep("=", "expected_differences.toml entries that matched no collected test")
        for test in unused:
            terminalreporter.write_line(f"  {test}")


_startup()
