"""Layer packages load their submodules on first use, so that importing one module of a layer
(e.g. `benchmark.engine.interrupts`, which the CLI needs before anything heavy) never imports the
rest of it."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from types import ModuleType


def submodule_loader(package: str, public: Sequence[str]) -> Callable[[str], ModuleType]:
    """A module-level `__getattr__` for `package` that imports the submodules named in `public`."""

    def load(name: str) -> ModuleType:
        if name in public:
            return importlib.import_module(f".{name}", package)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return load
