"""Streaming accumulators (``update / compute / reset``) for use during training.

Needs torch. :class:`Accumulator` is the base of the streaming metrics in :mod:`infolens.metrics`;
see the module :mod:`infolens.streaming._base` for how states are declared and reduced.
"""

from infolens.streaming._base import Accumulator, ComputeBeforeUpdateWarning

__all__ = ["Accumulator", "ComputeBeforeUpdateWarning"]
