"""Plots: functions ``(data, ax=None, ...) -> (fig, ax)``; matplotlib is imported when called.

Install the ``plot`` extra (``pip install 'infolens[plot]'``) for matplotlib.
"""

from infolens.plotting.infoplane import (
    layer_label_positions,
    plot_information_over_epochs,
    plot_information_plane,
)

__all__ = ["layer_label_positions", "plot_information_over_epochs", "plot_information_plane"]
