"""The catalogs: one module per language, each defining ``CATALOG``. A new language is one new file here.

``discover()`` finds every module of this package, so adding ``fr.py`` with a
complete ``CATALOG`` is all a French answer needs; the catalog tests then hold
it to the same rules as the others (every code, every step, same placeholders).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache

from txdiag.guidance.catalog import Catalog


@cache
def discover() -> Mapping[str, Catalog]:
    """Every shipped catalog by its language tag ("en", "zh-CN"), English first."""
    found: dict[str, Catalog] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: (i.name != "en", i.name)):
        module = importlib.import_module(f"{__name__}.{info.name}")
        catalog = getattr(module, "CATALOG", None)
        if isinstance(catalog, Catalog):
            found[catalog.tag] = catalog
    return found
