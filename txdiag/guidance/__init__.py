"""Guidance: findings -> words, in every language a catalog file exists for. Pure.

``catalogs/<lang>.py``  one file per language: its Locale and all its words
``steps.py``            which next steps each finding has and when each is shown (every language)
``locale.py``           ``Lang`` and ``Locale``: lists, durations, numbers (Babel's CLDR data)
``render.py``           the renderer; ``fmt.py`` exact amounts and gwei
"""

from txdiag.guidance.locale import Lang, Locale
from txdiag.guidance.render import CATALOGS, Rendered, RenderedFinding, render

__all__ = ["CATALOGS", "Lang", "Locale", "Rendered", "RenderedFinding", "render"]
