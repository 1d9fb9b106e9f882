"""Write the book configuration of the student edition: the same book, without the solutions.

    python exercises/student_config.py _config.yml _build_student/_config.yml

copies ``_config.yml`` and sets sphinx-exercise's ``hide_solutions: true``, which drops every
``{solution}`` block from the pages (the exercises stay). ``make student`` then builds the book
with ``jupyter-book build . --config _build_student/_config.yml --path-output _build_student``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml


def main(source: str, target: str) -> None:
    config = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["hide_solutions"] = True
    config["title"] = f"{config.get('title', 'The book')} (student edition)"
    # The downloadable sources (.ipynb / .md) and the launch buttons (Binder, Colab: the
    # repository's notebooks) would hand out the solutions: leave them out of this edition.
    sphinx_config["html_copy_source"] = False
    config["sphinx"]["recursive_update"] = True
    sphinx_config.setdefault("html_theme_options", {})["use_download_button"] = False
    launch = config.setdefault("launch_buttons", {})
    launch.update(binderhub_url="", colab_url="", jupyterhub_url="", thebe=False)
    config.setdefault("exclude_patterns", []).append("_build_student")
    # Jupyter Book finds a local extension relative to the configuration file, which moves.
    local = config["sphinx"].get("local_extensions") or {}
    for name, path in local.items():
        local[name] = os.path.relpath(Path(source).parent / path, Path(target).parent)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                            encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
