"""A small Sphinx extension for the book's website (listed in ``_config.yml``).

1. **Buttons only for a real repository.** The Binder, Colab and repository buttons are shown
   only when ``repository: url:`` in ``_config.yml`` is set (the one setting; see
   ``course_guide.md``). With it empty, no button points at a repository that does not exist,
   and the theme, which needs a URL to build those links, is told not to try.
2. **No duplicated inline scripts.** Jupyter Book 1 adds sphinx-thebe's configuration script
   (``const THEBE_JS_URL = ...``) twice to every page, and the second copy throws
   "Identifier 'THEBE_JS_URL' has already been declared" in every reader's console. Identical
   scripts are kept once.
3. **A defined colour mode.** pydata-sphinx-theme reads the reader's stored colour mode and
   falls back to the template variable ``default_mode``, which nothing sets: a first visit
   then logs "Got invalid theme mode: . Resetting to auto." We set it to ``auto`` (follow the
   operating system), which is what the theme ends up doing anyway, without the error.
4. **A bibliography assistive technology can read.** Docutils writes the reference list as
   ``<div role="list">`` whose entries have the DPUB role ``doc-biblioentry``, which ARIA 1.2
   deprecates and does not accept as a list item: screen readers then announce an empty list
   (axe's ``aria-required-children``). After the build each entry becomes a ``listitem``.
5. **Toggles named by what they say.** myst-nb names the ``<summary>`` of a hidden code cell
   "Toggle hidden content" while it shows "Show code cell source": the name must contain the
   visible text (WCAG 2.5.3, axe's ``label-content-name-mismatch``). The label is dropped, so
   the visible text names it.

The theme's search and colour-mode buttons are overridden in ``_templates/components/`` (their
accessible names did not contain their visible text).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

REPOSITORY_BUTTONS = ("use_repository_button", "use_issues_button", "use_edit_page_button")


def configure_site(app: Any, config: Any) -> None:
    config.html_context.setdefault("default_mode", "auto")
    options = config.html_theme_options
    url = str(options.get("repository_url") or "").strip()
    if url:
        # A real repository: its button, and the launch buttons configured in _config.yml.
        options["use_repository_button"] = True
        return
    options.pop("repository_url", None)
    options["launch_buttons"] = {}
    for key in REPOSITORY_BUTTONS:
        options[key] = False


def _key(script: Any) -> tuple:
    # An inline script is registered once with filename None and once with "": the same script.
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items()))


def deduplicate_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # In place: the list is the builder's own, to which handlers that run later (MathJax's,
    # the page name) still append their scripts for this page.
    scripts[:] = unique


# (pattern, replacement) applied to every built page: items 4 and 5 above.
_PAGE_REWRITES = (
    (
        re.compile(r'(<div class="citation" id="[^"]*" )role="doc-biblioentry"'),
        r'\1role="listitem"',
    ),
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
)


def rewrite_built_pages(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = text
        for pattern, replacement in _PAGE_REWRITES:
            new = pattern.sub(replacement, new)
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", configure_site, priority=900)
    # Early: html-page-context is emitted with emit_firstresult, so a handler after one that
    # returns a template name would never run. The duplicates are already in the context.
    app.connect("html-page-context", deduplicate_scripts, priority=100)
    app.connect("build-finished", rewrite_built_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
