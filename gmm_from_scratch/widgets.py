"""An interactive EM explorer for Jupyter, built on ipywidgets (chapters 5, 8 and 11).

EM runs once per change of the controls (data set, number of components, covariance type,
initialization, seed, ``reg_covar``) with its whole history recorded; moving the iteration
slider or flipping the E/M toggle then only redraws the figure from that history.

This module sits at the edge of the package (it imports ipywidgets and matplotlib).

Examples
--------
In a notebook::

    from gmm_from_scratch.widgets import EMExplorer
    EMExplorer(dataset="elongated", n_components=3)
"""

from __future__ import annotations

import warnings
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from ._validation import ConvergenceWarning
from .animation import EMFrameDrawer
from .covariance import COVARIANCE_TYPES
from .datasets import TEACHING_DATASETS, make_teaching_dataset
from .mixture import INIT_METHODS, GaussianMixture

__all__ = ["EMExplorer"]


class EMExplorer:
    """Sliders and controls that drive EM on a small 2-D data set.

    Parameters
    ----------
    dataset : str, default='elongated'
        One of :data:`gmm_from_scratch.datasets.TEACHING_DATASETS`.
    n_components : int, default=3
    covariance_type : str, default='full'
    init_params : str, default='random_from_data'
    random_state : int, default=0
    reg_covar : float, default=1e-6
    max_iter : int, default=60

    Attributes
    ----------
    controls : dict of ipywidgets
        ``dataset``, ``n_components``, ``covariance_type``, ``init_params``, ``seed``,
        ``reg_covar``, ``iteration`` (slider) and ``phase`` (E/M toggle).
    gmm : GaussianMixture or None
        The last fit (``None`` if it failed; ``status`` then says why).
    drawer : EMFrameDrawer or None
    status : ipywidgets.HTML
        A one-line report of the last fit, or of what went wrong.
    widget : ipywidgets.VBox
        Everything, ready to display.
    """

    def __init__(
        self,
        dataset: str = "elongated",
        n_components: int = 3,
        covariance_type: str = "full",
        init_params: str = "random_from_data",
        random_state: int = 0,
        reg_covar: float = 1e-6,
        max_iter: int = 60,
    ) -> None:
        self.max_iter = max_iter
        style = {"description_width": "initial"}
        self.controls: dict[str, Any] = {
            "dataset": widgets.Dropdown(
                options=TEACHING_DATASETS, value=dataset, description="data", style=style
            ),
            "n_components": widgets.IntSlider(
                value=n_components, min=1, max=8, description="components", style=style
            ),
            "covariance_type": widgets.Dropdown(
                options=COVARIANCE_TYPES,
                value=covariance_type,
                description="covariance",
                style=style,
            ),
            "init_params": widgets.Dropdown(
                options=INIT_METHODS, value=init_params, description="init", style=style
            ),
            "seed": widgets.IntText(value=random_state, description="seed", style=style),
            "reg_covar": widgets.FloatLogSlider(
                value=reg_covar,
                base=10,
                min=-12,
                max=0,
                description="reg_covar",
                readout_format=".0e",
                style=style,
            ),
            "iteration": widgets.IntSlider(
                value=1, min=1, max=1, description="iteration", continuous_update=True, style=style
            ),
            "phase": widgets.ToggleButtons(
                options=[("after E-step", "E"), ("after M-step", "M")],
                value="E",
                description="show",
                style=style,
            ),
        }
        self.status = widgets.HTML()
        self.output = widgets.Output()
        self.gmm: GaussianMixture | None = None
        self.drawer: EMFrameDrawer | None = None
        for name in (
            "dataset",
            "n_components",
            "covariance_type",
            "init_params",
            "seed",
            "reg_covar",
        ):
            self.controls[name].observe(self._on_refit, names="value")
        self.controls["iteration"].observe(self._on_redraw, names="value")
        self.controls["phase"].observe(self._on_redraw, names="value")
        c = self.controls
        self.widget = widgets.VBox([
            widgets.HBox([c["dataset"], c["n_components"], c["covariance_type"]]),
            widgets.HBox([c["init_params"], c["seed"], c["reg_covar"]]),
            widgets.HBox([c["iteration"], c["phase"]]),
            self.status,
            self.output,
        ])  # fmt: skip
        self.refit()

    # -- model
    def refit(self) -> None:
        """Fit EM with the current controls, recording its history, and redraw from the start."""
        c = self.controls
        X = make_teaching_dataset(c["dataset"].value, random_state=0)
        self.X = X
        gmm = GaussianMixture(
            c["n_components"].value, covariance_type=c["covariance_type"].value,
            init_params=c["init_params"].value, random_state=int(c["seed"].value),
            reg_covar=float(c["reg_covar"].value), max_iter=self.max_iter, tol=1e-6,
            record_history=True,
        )  # fmt: skip
        if self.drawer is not None:
            plt.close(self.drawer.fig)
        self.gmm, self.drawer = None, None
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                gmm.fit(X)
        except ValueError as exc:  # e.g. a component collapsed with reg_covar too small
            self.status.value = f"<b>EM failed:</b> {exc}"
            self._show()
            return
        self.gmm = gmm
        history = gmm.history_
        assert history is not None  # record_history=True
        self.drawer = EMFrameDrawer(X, history)
        # Shown only through self.output: out of pyplot's list of open figures, so that a
        # plt.show() in a later notebook cell does not draw the explorer's figure again.
        plt.close(self.drawer.fig)
        n_iter = history.n_iter
        note = " (stopped at max_iter before converging)" if caught else ""
        smallest = float(np.min(_variances(gmm)))
        collapse = (
            f" Smallest variance {smallest:.2e}: a component is collapsing."
            if smallest < 1e-3
            else ""
        )
        self.status.value = (
            f"EM ran {n_iter} iterations{note}; final mean log-likelihood "
            f"{history.log_likelihood[-1]:.4f}.{collapse}"
        )
        slider = self.controls["iteration"]
        with slider.hold_trait_notifications():
            slider.max = n_iter
            slider.value = 1
        self.redraw()

    # -- drawing
    def redraw(self) -> None:
        """Redraw the current iteration and phase from the recorded history (no refit)."""
        if self.drawer is not None:
            self.drawer.draw(self.controls["iteration"].value - 1, self.controls["phase"].value)
        self._show()

    def _show(self) -> None:
        with self.output:
            self.output.clear_output(wait=True)
            if self.drawer is not None:
                display(self.drawer.fig)

    def _on_refit(self, change: dict[str, Any]) -> None:
        self.refit()

    def _on_redraw(self, change: dict[str, Any]) -> None:
        self.redraw()

    def _ipython_display_(self) -> None:
        display(self.widget)


def _variances(gmm: GaussianMixture) -> np.ndarray:
    cov = gmm.covariances_
    if gmm.covariance_type in ("full", "tied"):
        return np.linalg.eigvalsh(cov).ravel()
    return np.ravel(cov)
