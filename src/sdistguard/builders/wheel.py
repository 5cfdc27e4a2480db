"""hatchling's wheel builder with the guarded walk (links are always read as content)."""

from __future__ import annotations

from typing import Any

from hatchling.builders.wheel import WheelBuilder

from sdistguard.builders.guard import Guard
from sdistguard.builders.wheel_writer import build_standard_wheel

__all__ = ["GuardedWheelBuilder"]


class GuardedWheelBuilder(Guard, WheelBuilder):
    """hatchling's ``WheelBuilder`` with the guarded walk (links are always read as content).

    Same constructor as hatchling's, plus ``config_settings`` (PEP 517). ``build()`` yields the
    absolute path of the ``.whl``; editable wheels (PEP 660) are hatchling's, over the guarded walk.
    """

    def build_standard(self, directory: str, **build_data: Any) -> str:
        """hatchling's wheel, written atomically into ``directory`` and checked before delivery.

        Written by :func:`~sdistguard.builders.wheel_writer.build_standard_wheel`: hatchling's
        ``build_standard`` with the members deflated and hashed on every core, the same bytes.
        """
        return self.build_guarded(directory, lambda private: build_standard_wheel(self, private, build_data))

    def build_editable(self, directory: str, **build_data: Any) -> str:
        """hatchling's editable wheel (PEP 660), written atomically into ``directory``."""
        return self.build_guarded(directory, lambda private: WheelBuilder.build_editable(self, private, **build_data))
