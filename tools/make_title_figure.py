"""Draw the title page's figure, ``images/old_faithful_em.png``, and the site's icon.

EM on the (standardized) Old Faithful eruptions, started from a poor guess as in Bishop's
figure 9.8: the left panel is the starting point, the right panel the fitted mixture with every
eruption coloured by its responsibilities. Run from the repository root:

    .venv/bin/python tools/make_title_figure.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from gmm_from_scratch import GaussianMixture, load_old_faithful  # noqa: E402
from gmm_from_scratch.plotting import plot_mixture, use_book_style  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "images" / "old_faithful_em.png"
FAVICON = OUT.parent / "favicon.png"


def draw_favicon() -> None:
    """Two overlapping Gaussian ellipses in the book's first two colours, 64 x 64 pixels."""
    from gmm_from_scratch.plotting import component_colors, covariance_ellipse

    fig = plt.figure(figsize=(0.64, 0.64), dpi=100, layout="none")
    ax = fig.add_axes((0, 0, 1, 1))
    blue, orange = component_colors(2)
    for mean, cov, color in [
        (np.array([-0.45, -0.35]), np.array([[0.35, 0.22], [0.22, 0.35]]), blue),
        (np.array([0.45, 0.4]), np.array([[0.3, -0.05], [-0.05, 0.25]]), orange),
    ]:
        ax.add_patch(
            covariance_ellipse(
                mean, cov, 1.6, facecolor=color, edgecolor=color, fill=True, alpha=0.85, linewidth=1
            )
        )
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.5, 1.5)
    ax.set_axis_off()
    fig.savefig(FAVICON, transparent=True)
    plt.close(fig)


def main() -> None:
    use_book_style()
    X = load_old_faithful(standardize_columns=True)
    gmm = GaussianMixture(
        n_components=2,
        means_init=np.array([[-1.5, 1.5], [1.5, -1.5]]),
        weights_init=np.array([0.5, 0.5]),
        precisions_init=np.array([np.eye(2) / 0.5, np.eye(2) / 0.5]),
        tol=1e-6,
        max_iter=500,
        record_history=True,
        random_state=0,
    ).fit(X)
    history = gmm.history_
    assert history is not None  # record_history=True
    for t in (0, history.n_iter):  # every ellipse inside the axes (checked, not assumed)
        for mean, cov in zip(history.means[t], history.covariances[t], strict=True):
            reach = mean + 2.0 * np.sqrt(np.linalg.eigvalsh(cov).max())
            lowest = mean - 2.0 * np.sqrt(np.linalg.eigvalsh(cov).max())
            assert reach.max() < 3.1 and lowest.min() > -3.1, "an ellipse would be clipped"
    fig, axes = plt.subplots(1, 2, figsize=(8.0, 4.2), sharex=True, sharey=True)
    panels = [
        (0, "Start: a poor guess", history.responsibilities[0]),
        (history.n_iter, f"After {history.n_iter} EM iterations", gmm.predict_proba(X)),
    ]
    for ax, (t, title, resp) in zip(axes, panels, strict=True):
        plot_mixture(
            ax,
            X,
            history.means[t],
            history.covariances[t],
            history.covariance_type,
            weights=history.weights[t],
            responsibilities=resp,
        )
        ax.set_title(title)
        ax.set_xlabel("eruption duration (standardized)")
        # Wide enough for the start's 2-sigma circles (radius 2 * sqrt(0.5) around (+-1.5,
        # -+1.5), reaching +-2.91): no ellipse is clipped by the axes.
        ax.set_xlim(-3.1, 3.1)
        ax.set_ylim(-3.1, 3.1)
        ax.set_aspect("equal")
    axes[0].set_ylabel("waiting time (standardized)")
    # One legend for both panels, outside them, so that it hides no eruption.
    # No "data" entry: the points are coloured by their responsibilities, not in one colour.
    entries = [
        (handle, label.replace("(π=", "(fitted π="))
        for handle, label in zip(*axes[1].get_legend_handles_labels(), strict=True)
        if label != "data"
    ]
    handles, labels = zip(*entries, strict=True)
    fig.legend(handles, labels, loc="outside lower center", ncols=2)
    fig.suptitle("EM fits a two-component Gaussian mixture to Old Faithful")
    OUT.parent.mkdir(exist_ok=True)
    fig.savefig(OUT, dpi=100)
    plt.close(fig)
    print(f"wrote {OUT.relative_to(OUT.parent.parent)} ({history.n_iter} iterations)")
    draw_favicon()
    print(f"wrote {FAVICON.relative_to(OUT.parent.parent)}")


if __name__ == "__main__":
    main()
