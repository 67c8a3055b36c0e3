"""Pure classification: Evidence -> verdict and findings. No I/O, the clock passed in."""

from txdiag.families.evm.classify.engine import RULES, Rule, classify

__all__ = ["RULES", "Rule", "classify"]
