"""One extension per feature. Each package here with an ``async def setup(bot)`` is loaded at start."""

from __future__ import annotations

import importlib
import pkgutil


def walk_extensions() -> list[str]:
    """Dotted names of every public extension under this package (``_``-prefixed modules are private)."""
    found = []
    for module in pkgutil.iter_modules(__path__, prefix=f"{__name__}."):
        if module.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        if hasattr(importlib.import_module(module.name), "setup"):
            found.append(module.name)
    return sorted(found)
