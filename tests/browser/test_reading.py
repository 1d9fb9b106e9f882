"""What a reader sees on every page of the book, checked in Chromium at 1280 px and at 390 px.

On **every page** of ``_toc.yml`` (chapters, exercises, appendices):

- at 1280 px no display equation is wider than the text column (long equations are broken with
  ``aligned``/``split`` in the chapter sources);
- at 390 px (a phone) an equation wider than the screen sits in a box that scrolls sideways
  with a *visible* scrollbar (``_static/book.css``), never clipped or hidden;
- no raw MyST role or directive text (``{eq}`...```, ``{doc}``, ``:::{...``) is shown, which is
  what a section swallowed by a code cell looks like;
- no test or formatter marker (``NBVAL_...``, ``# fmt: skip``, ``# noqa``) is shown;
- no traceback and no stderr output block is shown;
- no equation that MathJax could not typeset (a red "Math input error");
- no console error at all (``conftest.watched_page``).

Run after building the site: ``make book && .venv/bin/python -m pytest tests/browser``.
"""

from __future__ import annotations

import re

import pytest

from .conftest import SITE_DIR
from .test_site import TOC_PAGES, load

pytestmark = pytest.mark.browser

DESKTOP, PHONE = 1280, 390

# Display equations wider than their box: [(label, content width, box width), ...].
WIDE_EQUATIONS_JS = """() => Array.from(document.querySelectorAll(
        'article div.math, article mjx-container[display="true"]'))
    .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
    .map(el => {
        const box = el.closest('div.math') || el;
        const no = box.querySelector('.eqno');
        const label = no ? no.innerText.trim() : box.innerText.trim().slice(0, 40);
        return [label, el.scrollWidth, el.clientWidth];
    })"""

# Equations wider than their box whose box cannot be scrolled, or scrolls without a visible
# scrollbar (an overlay scrollbar takes no room: offsetHeight == clientHeight).
HIDDEN_OVERFLOW_JS = """() => Array.from(document.querySelectorAll(
        'article div.math, article mjx-container[display="true"]'))
    .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
    .filter(el => {
        const style = getComputedStyle(el);
        const scrolls = ['auto', 'scroll'].includes(style.overflowX);
        const bar = el.offsetHeight - el.clientHeight - el.clientTop * 2;
        return !scrolls || style.scrollbarWidth === 'none' || bar < 4;
    })
    .map(el => {
        const box = el.closest('div.math') || el;
        const no = box.querySelector('.eqno');
        return no ? no.innerText.trim() : box.innerText.trim().slice(0, 40);
    })"""

# The page's text without inline code spans (which may show MyST syntax on purpose, e.g. the
# contributor's instructions) but *with* code cells, where a swallowed section would show.
TEXT_JS = """() => {
    const article = document.querySelector('article') || document.body;
    const copy = article.cloneNode(true);
    copy.querySelectorAll('code.literal, script, style, mjx-container, '
        + '.highlight-myst, .highlight-md, .highlight-markdown').forEach(el => el.remove());
    return copy.innerText;
}"""

STDERR_JS = """() => Array.from(document.querySelectorAll(
        'article .output.stderr, article .output.traceback, article .stderr, '
        + 'article [data-mime-type="application/vnd.jupyter.stderr"]'))
    .filter(el => el.offsetParent !== null).map(el => el.innerText.slice(0, 200))"""

# TeX that MathJax could not typeset shows as a red "Math input error" box; give its source.
MATH_ERRORS_JS = """() => !window.MathJax || !MathJax.startup || !MathJax.startup.document ? [] :
    Array.from(MathJax.startup.document.math)
        .filter(m => m.typesetRoot && m.typesetRoot.querySelector('mjx-merror'))
        .map(m => m.math.slice(0, 120))"""

RAW_MYST = re.compile(
    r"\{(eq|doc|numref|ref|cite|cite:p|cite:t|term|math|download|prf:ref|glue)\}`"
    r"|^\s*#?\s*(:::|```)\s*\{[a-z-]+\}",
    re.MULTILINE,
)
TOOL_MARKERS = re.compile(r"NBVAL_|#\s*fmt:\s*(skip|off|on)|#\s*noqa|#\s*type:\s*ignore")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)")


def reading_problems(page) -> dict[str, list]:
    text = page.evaluate(TEXT_JS)
    problems = {
        "raw MyST syntax": sorted({m.group(0).strip() for m in RAW_MYST.finditer(text)}),
        "tool markers": sorted({m.group(0) for m in TOOL_MARKERS.finditer(text)}),
        "tracebacks": TRACEBACK.findall(text),
        "stderr blocks": page.evaluate(STDERR_JS),
        "math MathJax could not typeset": page.evaluate(MATH_ERRORS_JS),
    }
    return {k: v for k, v in problems.items() if v}


@pytest.mark.parametrize("path", [p for p, _ in TOC_PAGES])
def test_every_page_reads_cleanly_at_desktop_and_phone_width(watched_page, base_url, path):
    page, problems = watched_page
    assert (SITE_DIR / path).is_file(), f"{path} is in _toc.yml but was not built"
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    load(page, base_url, path)

    wide = page.evaluate(WIDE_EQUATIONS_JS)
    assert not wide, (
        f"{path}: at {DESKTOP}px these display equations are wider than the text column "
        f"[label, equation px, column px]; break them with aligned/split: {wide}"
    )
    found = reading_problems(page)
    assert not found, f"{path}: shown to readers: {found}"

    page.set_viewport_size({"width": PHONE, "height": 844})
    page.wait_for_timeout(300)
    hidden = page.evaluate(HIDDEN_OVERFLOW_JS)
    assert not hidden, (
        f"{path}: at {PHONE}px these equations overflow without a visible scrollbar: {hidden}"
    )
    problems.assert_clean()


# The checks themselves must be able to fail: a page with each fault.

FAULTY_PAGE = """<html><body><article>
<div class="math" style="width: 200px; overflow: visible"><span
  style="display: inline-block; width: 600px">a very long equation</span></div>
<div class="math" style="width: 200px; overflow-x: auto; scrollbar-width: none"><span
  style="display: inline-block; width: 600px">a scrolled equation without a bar</span></div>
<p>As {eq}`eq-ch03-assign` shows.</p>
<pre># NBVAL_IGNORE_OUTPUT
x = [1,  2]  # fmt: skip</pre>
<div class="output stderr"><pre>RuntimeWarning: overflow</pre></div>
<pre>Traceback (most recent call last):</pre>
</article></body></html>"""


def test_the_checks_find_each_fault(browser):
    context = browser.new_context(viewport={"width": DESKTOP, "height": 900})
    try:
        page = context.new_page()
        page.set_content(FAULTY_PAGE)
        assert len(page.evaluate(WIDE_EQUATIONS_JS)) == 2
        assert len(page.evaluate(HIDDEN_OVERFLOW_JS)) == 2
        found = reading_problems(page)
        assert set(found) == {"raw MyST syntax", "tool markers", "tracebacks", "stderr blocks"}
        assert found["tool markers"] == ["# fmt: skip", "NBVAL_"]
    finally:
        context.close()


def test_the_math_check_finds_an_equation_mathjax_rejects(watched_page, base_url):
    page, _ = watched_page
    load(page, base_url, "glossary.html")
    assert "math MathJax could not typeset" not in reading_problems(page)
    page.evaluate(
        r"""async () => {
            const p = document.createElement('p');
            p.textContent = '\\(\\frac{1}\\)';
            document.querySelector('article').appendChild(p);
            await MathJax.typesetPromise([p]);
        }"""
    )
    assert reading_problems(page)["math MathJax could not typeset"] == ["\\frac{1}"]
