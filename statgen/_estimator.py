"""The estimator contract shared by every model family (scikit-learn's, on purpose).

- configuration only in ``__init__`` (stored under the argument names, not validated there);
- ``fit(...) -> self`` validates the configuration and the data, then learns;
- learned state in attributes ending in ``_``; ``score(...)`` is a log-likelihood (higher is better);
- ``get_params()`` / ``set_params(**p)`` / ``clone()`` give an unfitted copy for refits
  (bootstrap, cross-validation, a new seed).
"""

from __future__ import annotations

import copy
import inspect

__all__ = ["Estimator", "NotFittedError"]


class NotFittedError(RuntimeError):
    """Raised when a learned attribute is asked of an estimator before ``fit``."""


class Estimator:
    """Base class: parameters are the keyword arguments of ``__init__``, stored as attributes."""

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values()
                if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]

    def get_params(self) -> dict:
        """The configuration: ``{name: value}`` for every ``__init__`` argument."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params) -> Estimator:
        """Change configuration values in place (unknown names are refused); returns ``self``."""
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"{name!r} is not a parameter of {type(self).__name__}; "
                                 f"valid parameters: {sorted(valid)}")
            setattr(self, name, value)
        return self

    def clone(self, **overrides) -> Estimator:
        """A new, unfitted estimator with the same configuration (deep-copied), updated by ``overrides``."""
        params = copy.deepcopy(self.get_params())
        params.update(overrides)
        return type(self)(**params)

    def is_fitted(self) -> bool:
        return any(k.endswith("_") and not k.startswith("_") for k in vars(self))

    def _check_fitted(self, attribute: str) -> None:
        if not hasattr(self, attribute):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet: call fit(...) before "
                                 f"using {attribute}")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"
