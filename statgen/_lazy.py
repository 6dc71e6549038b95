"""Lazy package attributes (PEP 562): a public name is imported from its module on first use.

Lets a package list its whole API without importing heavy dependencies (torch) until a name that
needs them is touched; sub-modules are reachable as attributes too.
"""

from __future__ import annotations

import importlib


def lazy_attributes(namespace: dict, where: dict[str, str]):
    """``(__getattr__, __dir__)`` for the package whose globals are ``namespace``; ``where`` maps a
    public name to the module that defines it. A resolved name is cached in ``namespace``."""
    package = namespace["__name__"]

    def __getattr__(name: str):
        if name in where:
            value = getattr(importlib.import_module(where[name]), name)
            namespace[name] = value
            return value
        try:
            return importlib.import_module(f"{package}.{name}")  # a sub-module as an attribute
        except ModuleNotFoundError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__
