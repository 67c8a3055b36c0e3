"""Round-two probes: each asks for what one part of the evidence needs, and reads a typed result.

A probe is a function ``ask_x(found, plan) -> Reader[X] | None``: it adds its
calls to the round's :class:`~txdiag.families.evm.probes.plan.Plan` (None when it has
nothing to ask) and returns a reader that builds its result from its own
handles once the plan was answered. ``txdiag.families.evm.gather.investigate`` calls each
one by name and builds the evidence from their results.
"""
