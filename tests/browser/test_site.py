"""The built course website, tested in a real browser (headless Debian Chromium + Playwright).

Run after building the site: ``make book && .venv/bin/python -m pytest tests/browser``
(``make test`` does both). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from .conftest import ROOT, SITE_DIR

pytestmark = pytest.mark.browser

# --------------------------------------------------------------------------------------------
# The table of contents: which pages must exist, and which chapter number each one carries.
# --------------------------------------------------------------------------------------------


def _toc_pages() -> list[tuple[str, int | None]]:
    """(html path, chapter number or None) for every page of ``_toc.yml``, in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages: list[tuple[str, int | None]] = [(f"{toc['root']}.html", None)]
    number = 0

    def walk(entries, numbered: bool) -> None:
        nonlocal number
        for entry in entries or []:
            if "file" in entry:
                stem = re.sub(r"\.(md|ipynb)$", "", entry["file"])
                if numbered:
                    number += 1
                pages.append((f"{stem}.html", number if numbered else None))
                walk(entry.get("sections"), False)

    for part in toc.get("parts", []):
        walk(part.get("chapters"), bool(part.get("numbered")))
    walk(toc.get("chapters"), bool(toc.get("numbered")))
    return pages


TOC_PAGES = _toc_pages()
CHAPTERS = {path: n for path, n in TOC_PAGES if n is not None}
REPOSITORY_URL = (
    yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"] or ""
).rstrip("/")

# LaTeX that must never be visible as text once MathJax has typeset the page.
RAW_TEX = re.compile(r"\$\$|\\sum|\\frac|\\begin\{|\\mathbf|\\boldsymbol|\\Sigma|\\mu\b|\\\(|\\\[")

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def load(page, base_url: str, path: str) -> None:
    """Open ``path``, wait for the load event, MathJax's first typeset and every image."""
    response = page.goto(base_url + path, wait_until="load")
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    page.wait_for_function(
        "() => !document.querySelector('.math') || "
        "(window.MathJax && MathJax.startup && MathJax.startup.promise)",
        timeout=20_000,
    )
    page.evaluate(
        """async () => {
            if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
                await MathJax.startup.promise;
            }
            const images = Array.from(document.images);
            images.forEach(img => { img.loading = 'eager'; });
            await Promise.all(images.map(img => img.complete ? null :
                new Promise(resolve => { img.onload = img.onerror = resolve; })));
        }"""
    )
    # Late requests (fonts, widget modules, the icon) fail the test too: let them happen.
    page.wait_for_load_state("networkidle")


def broken_images(page) -> list[str]:
    return page.evaluate(
        "() => Array.from(document.images)"
        ".filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)"
    )


def visible_text_outside_code(page) -> str:
    """The article's rendered text, without code cells, code spans and typeset math."""
    return page.evaluate(
        """() => {
            const article = document.querySelector('article') || document.body;
            const copy = article.cloneNode(true);
            copy.querySelectorAll('pre, code, script, style, mjx-container, .highlight')
                .forEach(el => el.remove());
            return copy.innerText;
        }"""
    )


PHONE_WIDTH = 390


def assert_fits_phone(page, path: str) -> None:
    """No sideways scrolling of the page; no figure shrunk below 60% of its natural width.

    Below 60% a figure drawn with ``use_book_style()`` has unreadable labels; on phones
    ``_static/book.css`` lets wide figures, equations and code scroll inside their own box.
    """
    width = page.evaluate("window.innerWidth")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width + 1, f"{path}: at {width}px the page is {page_width}px wide"
    shrunk = page.evaluate(
        """() => Array.from(document.querySelectorAll('article img'))
            .filter(img => img.naturalWidth > 0 && img.offsetParent !== null &&
                    img.getBoundingClientRect().width < 0.6 * img.naturalWidth)
            .map(img => `${img.src} (${img.naturalWidth}px shown at `
                        + `${Math.round(img.getBoundingClientRect().width)}px)`)"""
    )
    assert not shrunk, f"{path}: figures too small to read at {width}px: {shrunk}"


def pages_containing(marker: str) -> list[str]:
    return [
        path
        for path, _ in TOC_PAGES
        if (SITE_DIR / path).is_file() and marker in (SITE_DIR / path).read_text(encoding="utf-8")
    ]


# --------------------------------------------------------------------------------------------
# Every page of the table of contents
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [p for p, _ in TOC_PAGES])
def test_every_toc_page_loads_offline_with_math_and_images(watched_page, base_url, path):
    page, problems = watched_page
    assert (SITE_DIR / path).is_file(), f"{path} is in _toc.yml but was not built"
    load(page, base_url, path)

    assert page.locator("article h1").count() >= 1, f"{path} has no title"
    assert not broken_images(page), f"{path}: images did not load: {broken_images(page)}"

    n_math = page.locator(".math").count()
    if n_math:
        n_typeset = page.locator(".math mjx-container").count()
        assert n_typeset >= n_math, f"{path}: {n_math - n_typeset} math elements not typeset"
    leftover = RAW_TEX.findall(visible_text_outside_code(page))
    assert not leftover, f"{path}: raw LaTeX visible in the text: {sorted(set(leftover))}"

    # At a phone's width the page must not scroll sideways and figures must stay readable.
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    page.wait_for_timeout(200)
    assert_fits_phone(page, path)
    problems.assert_clean()


@pytest.mark.parametrize("path", sorted(CHAPTERS))
def test_chapters_are_numbered_and_equations_carry_the_chapter_number(watched_page, base_url, path):
    page, problems = watched_page
    number = CHAPTERS[path]
    load(page, base_url, path)
    heading = page.locator("article h1").first.inner_text()
    assert heading.startswith(f"{number}. "), f"{path}: title {heading!r} is not chapter {number}"

    eqnos = [t.strip() for t in page.locator("span.eqno").all_inner_texts()]
    expected = [f"({number}.{m})" for m in range(1, len(eqnos) + 1)]
    assert eqnos == expected, f"{path}: equation numbers {eqnos}, expected {expected}"
    # References to equations ({eq}`label`) render as "(N.m)" and point at an equation.
    for link in page.locator("a.reference.internal[href*='#equation-']").all():
        text = (link.text_content() or "").strip()
        assert re.fullmatch(r"\(\d+\.\d+\)", text), f"{path}: equation reference {text!r}"
    problems.assert_clean()


def test_some_chapter_has_typeset_numbered_equations(watched_page, base_url):
    """Guard against the per-page test passing vacuously (a book without any math)."""
    page, problems = watched_page
    with_math = pages_containing('class="eqno"')
    assert with_math, "no page has a numbered equation"
    load(page, base_url, with_math[0])
    assert page.locator("div.math mjx-container").count() >= 1
    assert page.locator("span.eqno").first.is_visible()
    problems.assert_clean()


# --------------------------------------------------------------------------------------------
# Interactive pieces: animations, solutions, search
# --------------------------------------------------------------------------------------------


def test_em_animations_step_when_clicked(watched_page, base_url):
    paths = pages_containing('class="animation"')
    if not paths:
        pytest.skip("no to_jshtml animation (div.animation) in the built book yet")
    page, problems = watched_page
    for path in paths:
        load(page, base_url, path)
        animations = page.locator("div.animation")
        for i in range(animations.count()):
            animation = animations.nth(i)
            animation.scroll_into_view_if_needed()
            image = animation.locator("img").first
            slider = animation.locator("input.anim-slider")
            animation.get_by_role("button", name="Pause").click()
            animation.get_by_role("button", name="First frame").click()
            first_src, first_value = image.get_attribute("src"), slider.input_value()
            animation.get_by_role("button", name="Next frame").click()
            assert slider.input_value() == str(int(first_value) + 1), f"{path}: slider stuck"
            assert image.get_attribute("src") != first_src, f"{path}: frame did not change"
            box = image.bounding_box()
            assert box and box["width"] > 50, f"{path}: animation frame not displayed"
    problems.assert_clean()


def test_exercise_solutions_are_hidden_and_toggle(watched_page, base_url):
    paths = pages_containing("solution dropdown")
    assert paths, "no page has a dropdown solution (sphinx-exercise `:class: dropdown`)"
    page, problems = watched_page
    load(page, base_url, paths[0])
    solution = page.locator("div.solution.dropdown").first
    body = solution.locator(":scope > :not(.admonition-title)").first
    solution.scroll_into_view_if_needed()
    assert not body.is_visible(), "the solution is shown before the reader asks for it"
    solution.locator(".admonition-title").click()
    body.wait_for(state="visible", timeout=5_000)
    solution.locator(".admonition-title").click()
    body.wait_for(state="hidden", timeout=5_000)
    problems.assert_clean()


def test_search_finds_responsibility(watched_page, base_url):
    page, problems = watched_page
    page.goto(base_url + "search.html?q=responsibility", wait_until="load")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=20_000)
    titles = results.all_inner_texts()
    assert any("Glossary" in t for t in titles), f"the glossary is not among {titles}"
    problems.assert_clean()


# --------------------------------------------------------------------------------------------
# For the instructor: launch and download buttons
# --------------------------------------------------------------------------------------------


def test_launch_and_download_buttons(watched_page, base_url):
    """Launch and repository buttons exactly when _config.yml names a repository; a download."""
    notebooks = [p for p in CHAPTERS if (ROOT / p.replace(".html", ".ipynb")).is_file()]
    assert notebooks, "no chapter is a notebook"
    path = notebooks[0]
    source = path.replace(".html", ".ipynb")
    page, problems = watched_page
    load(page, base_url, path)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    if REPOSITORY_URL:
        repo = urlsplit(REPOSITORY_URL).path.strip("/")
        binder = [h for h in hrefs if h.startswith(f"https://mybinder.org/v2/gh/{repo}/")]
        colab = [
            h for h in hrefs if h.startswith(f"https://colab.research.google.com/github/{repo}/")
        ]
        assert binder and source in binder[0], f"no Binder launch link for {source}"
        assert colab and colab[0].endswith(source), f"no Colab launch link for {source}"
        assert any(h.rstrip("/") == REPOSITORY_URL for h in hrefs), "no repository button"
    else:
        # No repository configured: no button may lead to one.
        dead = [
            h
            for h in hrefs
            if "mybinder.org" in h or "colab.research.google.com" in h or "github.com" in h
        ]
        assert not dead, f"buttons to a repository that is not configured: {dead}"
    downloads = [h for h in hrefs if h.endswith(f"_sources/{source}")]
    assert downloads, f"no .ipynb download link on {path}"
    response = page.request.get(downloads[0])
    assert response.ok and '"cells"' in response.text(), "the .ipynb download is broken"
    problems.assert_clean()


# --------------------------------------------------------------------------------------------
# Static checks over every built HTML file (no browser): nothing from outside, no dead links
# --------------------------------------------------------------------------------------------


class _Refs(HTMLParser):
    """Collect resource URLs (loaded by the page) and link targets (followed by the reader)."""

    RESOURCE_ATTRS = {
        "script": "src",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "video": "src",
        "audio": "src",
        "embed": "src",
        "object": "data",
    }

    def __init__(self) -> None:
        super().__init__()
        self.resources: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag in self.RESOURCE_ATTRS and attrs.get(self.RESOURCE_ATTRS[tag]):
            self.resources.append(attrs[self.RESOURCE_ATTRS[tag]])
        if tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").lower()
            if any(r in rel for r in ("stylesheet", "preload", "icon", "modulepreload")):
                self.resources.append(attrs["href"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _parse(path: Path) -> _Refs:
    refs = _Refs()
    refs.feed(path.read_text(encoding="utf-8"))
    return refs


def _built_pages(site_dir: Path) -> list[Path]:
    """Every built page, without the copied third-party files in offline/."""
    return sorted(
        p for p in site_dir.rglob("*.html") if p.relative_to(site_dir).parts[0] != "offline"
    )


def test_no_page_loads_anything_from_another_host(site_dir):
    outside = {}
    for path in _built_pages(site_dir):
        urls = [u for u in _parse(path).resources if urlsplit(u).scheme in ("http", "https")]
        urls += [u for u in _parse(path).resources if u.startswith("//")]
        if urls:
            outside[str(path.relative_to(site_dir))] = urls
    assert not outside, f"pages load resources from other hosts: {outside}"


def test_internal_links_resolve(site_dir):
    """Every relative link and #anchor in the built site points at a file and id that exist."""
    ids: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            ids[path] = _parse(path).ids
        return ids[path]

    dead = []
    for path in _built_pages(site_dir):
        for href in _parse(path).links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//") or href.startswith("mailto:"):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.exists():
                dead.append(f"{path.relative_to(site_dir)} -> {href}")
                continue
            if parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in ids_of(target):
                    dead.append(f"{path.relative_to(site_dir)} -> {href} (no such anchor)")
    assert not dead, "dead internal links:\n" + "\n".join(dead)


# --------------------------------------------------------------------------------------------
# Screenshots to look at (test-artifacts/), desktop and phone width
# --------------------------------------------------------------------------------------------


def _screenshot_targets() -> list[tuple[str, str]]:
    targets = [("title_page", TOC_PAGES[0][0])]
    chapter5 = [p for p, n in CHAPTERS.items() if n == 5]
    if chapter5:
        targets.append(("chapter05_derivation", chapter5[0]))
    exercise_pages = sorted(
        pages_containing('class="exercise'),
        key=lambda p: -(SITE_DIR / p).read_text(encoding="utf-8").count('class="exercise'),
    )
    if exercise_pages:
        targets.append(("exercise_page", exercise_pages[0]))
    notebooks = [p for p, _ in TOC_PAGES if p.startswith("exercises/")]
    if notebooks:  # the programming exercises of chapter 5 if there are any, else the first
        chosen = [p for p in notebooks if "ch05" in p] or notebooks
        targets.append(("exercise_notebook", chosen[0]))
    return targets


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_screenshots(browser, base_url, artifacts, width):
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 500 else 844})
    try:
        page = context.new_page()
        for name, path in _screenshot_targets():
            load(page, base_url, path)
            # Open the solutions so that their rendering is in the picture too.
            for title in page.locator("div.solution.dropdown > .admonition-title").all():
                title.click()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(artifacts / f"{name}_{width}px.png"), full_page=True)
    finally:
        context.close()


# --------------------------------------------------------------------------------------------
# The student edition (``make student``), when it has been built
# --------------------------------------------------------------------------------------------

STUDENT_SITE = ROOT / "_build_student" / "_build" / "html"


def test_student_edition_has_exercises_but_no_solutions():
    if not (STUDENT_SITE / "index.html").is_file():
        pytest.skip("the student edition is built by `make student`, not by `make test`")
    pages = _built_pages(STUDENT_SITE)
    texts = {p: p.read_text(encoding="utf-8") for p in pages}
    assert any('class="exercise' in t for t in texts.values()), "the exercises are missing"
    leaks = [str(p.relative_to(STUDENT_SITE)) for p, t in texts.items() if 'class="solution' in t]
    assert not leaks, f"solutions in the student edition: {leaks}"
    assert not (STUDENT_SITE / "_sources").exists(), "downloadable sources hold the solutions"
    launch = [
        str(p.relative_to(STUDENT_SITE))
        for p, t in texts.items()
        if "mybinder.org/v2" in t or "colab.research.google.com/github" in t
    ]
    assert not launch, f"launch buttons lead to the notebooks with solutions: {launch}"
