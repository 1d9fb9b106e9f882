"""scikit-learn's estimator protocol (parameters, tags, fitted state, repr), written once.

scikit-learn is not needed to import or use the package: :meth:`ParamsMixin.__sklearn_tags__`
imports it only when scikit-learn itself asks for the tags (in ``Pipeline``,
``GridSearchCV``, ``clone``, ``check_estimator``), so it is installed by then.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

__all__ = ["ParamsMixin"]


class ParamsMixin:
    """Gives an estimator ``get_params``/``set_params`` from its ``__init__`` signature.

    With ``__sklearn_tags__`` and ``__sklearn_is_fitted__`` that is what scikit-learn's tools
    (``clone``, ``Pipeline``, ``GridSearchCV``, ``check_estimator``) need from an estimator.
    A subclass sets ``_estimator_kind`` (scikit-learn's ``estimator_type`` tag) and
    ``_fitted_attribute`` (an attribute that exists only once fitted).
    """

    _estimator_kind: str | None = None
    _fitted_attribute: str = "n_features_in_"

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

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's estimator tags (scikit-learn >= 1.6 reads them)."""
        from sklearn.utils import Tags, TargetTags

        return Tags(
            estimator_type=self._estimator_kind,
            target_tags=TargetTags(required=False),
            transformer_tags=None,
            regressor_tags=None,
            classifier_tags=None,
        )

    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit`` has been called (scikit-learn's ``check_is_fitted`` asks this)."""
        return hasattr(self, self._fitted_attribute)

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
