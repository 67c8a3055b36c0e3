"""txdiag: find a transaction, say what happened to it, and what to do next."""

__version__ = "0.1.0"
