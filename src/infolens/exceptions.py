"""Exceptions and warnings raised by infolens.

Every exception subclasses a built-in, so ``except ValueError`` keeps working for callers
who do not know about infolens.
"""


class InfolensError(Exception):
    """Base class of every error raised on purpose by infolens."""


class InvalidInputError(InfolensError, ValueError):
    """The data handed to an estimator is malformed (NaN, wrong shape, inconsistent lengths...)."""


class InvalidDataTypeError(InfolensError, TypeError):
    """The data handed to an estimator has a dtype the estimator cannot use."""


class InvalidParameterError(InfolensError, ValueError):
    """A hyper-parameter or option is outside its allowed range."""


class InsufficientSamplesError(InvalidInputError):
    """There are too few samples for the requested estimator settings."""


class UnsupportedQuantityError(InfolensError, ValueError):
    """The chosen method does not estimate the requested quantity (e.g. entropy with ``"ksg"``)."""


class MissingExtraError(InfolensError, ImportError):
    """An optional dependency (an extra such as ``infolens[torch]``) is needed but not installed."""


class ResultStoreError(InfolensError, OSError):
    """A results or records database cannot be opened, read or written."""


class SchemaVersionError(InfolensError, RuntimeError):
    """A results database was written with another schema version."""


class DegenerateDataWarning(UserWarning):
    """The data are degenerate for the estimator (constant columns, repeated values...)."""


class ComputeBeforeUpdateWarning(UserWarning):
    """``compute()`` was called on an accumulator that has seen no batch since its last reset."""


class BoundSaturationWarning(UserWarning):
    """A capped bound (InfoNCE: at most ``log batch_size``) is within 5 % of its ceiling."""


class TrainingDivergedWarning(UserWarning):
    """Training produced a non-finite loss; the estimate falls back to the best checkpoint."""


class TrainingDivergedError(InfolensError, RuntimeError):
    """Training diverged before any finite held-out value could be computed."""


class BiasWarning(UserWarning):
    """An estimate drifts with the sample size by more than its standard error (see ``ci=``)."""
