"""Guidance: the words for findings, in English and Simplified Chinese. Pure."""

from txdiag.guidance.render import CATALOGS, COMMON, Rendered, RenderedFinding, render

__all__ = ["CATALOGS", "COMMON", "Rendered", "RenderedFinding", "render"]
