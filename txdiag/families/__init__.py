"""Chain families: each keeps its own gather, rules and words; render, report, service and front ends are shared."""
