"""Neural (variational) estimators of mutual information; needs the ``torch`` extra.

The subpackage is split by role:

- :mod:`~infolens.estimators.neural.bounds`: the bounds, pure functions of a critic score matrix
  ``scores[i, j] = f(x_i, y_j)`` (positives on the diagonal), in nats;
- :mod:`~infolens.estimators.neural.critics`: the critics (``torch.nn.Module``) that produce it;
- :mod:`~infolens.estimators.neural._bound`: :class:`Bound`, the record of one bound (what is
  trained and reported, its kind, ceiling, critics and state), and the shipped ``BOUNDS``;
- :mod:`~infolens.estimators.neural.estimator`: :class:`NeuralEstimator`, which trains a critic
  on one split of the data and evaluates the bound on the other (see ``docs/neural.md``).

Importing any of them without PyTorch raises an :class:`ImportError` that names the extra, so
the method registry can point at them and fail cleanly on first use.
"""

try:
    import torch  # noqa: F401  (imported here only to fail early, with a helpful message)
except ImportError as err:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "The neural estimators need PyTorch, which is not installed. "
        "Install it with: pip install 'infolens[torch]'"
    ) from err
