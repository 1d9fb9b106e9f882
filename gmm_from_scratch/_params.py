"""scikit-learn's parameter protocol (get_params, set_params, a short repr), written once."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

__all__ = ["ParamsMixin"]


class ParamsMixin:
    """Gives an estimator ``get_params``/``set_params`` from its ``__init__`` signature.

    That is enough for scikit-learn's model-selection tools (``clone``, ``GridSearchCV``) to
    handle the estimators of this package.
    """

    @classmethod
    def _param_defaults(cls) -> dict[str, Any]:
        params = inspect.signature(cls.__init__).parameters
        return {name: p.default for name, p in params.items() if name != "self"}

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters, as scikit-learn's ``get_params``."""
        return {name: getattr(self, name) for name in self._param_defaults()}

    def set_params(self, **params: Any) -> Any:
        """Set constructor parameters, as scikit-learn's ``set_params``; returns the estimator."""
        valid = self._param_defaults()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for {type(self).__name__}; "
                    f"valid parameters are {sorted(valid)}."
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        defaults = self._param_defaults()
        changed = [
            f"{k}={v!r}"
            for k, v in self.get_params().items()
            if not (isinstance(v, np.ndarray) or v is defaults[k] or _equal(v, defaults[k]))
        ]
        return f"{type(self).__name__}({', '.join(changed)})"


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False
