"""Accessibility of the built site (issue 19): WCAG 2.1 A/AA with axe-core, figures, keyboard.

- **axe-core** (pinned in ``package.json``, installed by ``npm ci``), the engine behind the
  browsers' own accessibility audits, runs on every page of ``_toc.yml`` with the WCAG 2.0/2.1
  A and AA rules; any *serious* or *critical* violation fails the page. Nothing is switched off.
- **Figures**: every image in a chapter has an alt text written for it (not a path, a file name
  or a hash) and sits in a numbered, captioned figure ("Figure 5.2"), animations too; every
  page carries as many figures as its notebook has image outputs (figures cannot silently
  vanish, e.g. under ``MPLBACKEND=Agg``).
- **Keyboard**: an animation steps, a solution opens and the search runs from the keyboard
  alone, and the focused control is visibly outlined.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading

import pytest

from .conftest import LOCAL_HOST, ROOT, _QuietHandler
from .test_site import CHAPTERS, STUDENT_SITE, TOC_PAGES, load, pages_containing

pytestmark = pytest.mark.browser

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: Rules that cannot be met, with the reason: none.
ACCEPTED_VIOLATIONS: dict[str, str] = {}


def axe_violations(page) -> list[dict]:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (make test does)")
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({rule: v.id, impact: v.impact, help: v.help,
                            where: v.nodes.slice(0, 5).map(n => n.target.join(' ')
                                + ' :: ' + (n.failureSummary || '').split('\\n')[1])}));
        }""",
        WCAG_TAGS,
    )


@pytest.mark.parametrize("path", [p for p, _ in TOC_PAGES])
def test_page_is_accessible_and_its_figures_captioned(watched_page, base_url, path):
    """axe-core on every page; on a chapter, its figures too (one page load for both)."""
    page, problems = watched_page
    load(page, base_url, path)
    found = [v for v in axe_violations(page) if v["rule"] not in ACCEPTED_VIOLATIONS]
    assert not found, f"{path}: axe-core (WCAG 2.1 A/AA):\n" + json.dumps(found, indent=1)
    if path in CHAPTERS:
        faults = figure_faults(page, path)
        assert not faults, f"{path}:\n" + "\n".join(faults)
    problems.assert_clean()


def test_axe_finds_each_fault(browser):
    """The audit can fail: an unlabelled slider, an image without alt text, pale text."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(
            "<html lang='en'><head><title>t</title></head><body><main>"
            "<img src='data:,'><input type='range'>"
            "<p style='color:#bbb;background:#fff'>pale text</p></main></body></html>"
        )
        rules = {v["rule"] for v in axe_violations(page)}
        assert {"image-alt", "label", "color-contrast"} <= rules, rules
    finally:
        context.close()


# --------------------------------------------------------------------------------------------
# Figures: numbered, captioned, described
# --------------------------------------------------------------------------------------------

# For each image: its alt text and the number and caption of the nearest enclosing figure that
# Sphinx numbered (an animation's own <figure class="em-animation"> sits inside that one).
FIGURES_JS = """() => Array.from(document.querySelectorAll('article img')).map(img => {
    let figure = img.closest('figure'), number = null, caption = null;
    while (figure) {
        const figcaption = figure.querySelector(':scope > figcaption');
        const no = figcaption && figcaption.querySelector('.caption-number');
        if (no) { number = no.innerText.trim(); caption = figcaption.innerText.trim(); break; }
        figure = figure.parentElement && figure.parentElement.closest('figure');
    }
    return {src: img.getAttribute('src').slice(0, 60), alt: img.getAttribute('alt'),
            animation: !!img.closest('.animation'), number: number, caption: caption};
})"""

# A path or a file name ("../_images/8da1....png", "figure.png"), or a content hash.
FILE_NAME = re.compile(
    r"(^|\s)\S*[/\\]\S*\.\w+|\.(png|jpe?g|svg|gif)\b|_images|[0-9a-f]{16,}", re.I
)


def describes(alt: str | None) -> bool:
    """An alt text that says something: several words, no file name or path."""
    return alt is not None and len(alt.split()) >= 4 and not FILE_NAME.search(alt)


def declared_images(notebook) -> int:
    """Image outputs that the book shows: cells not removed, outputs not removed."""
    data = json.loads(notebook.read_text(encoding="utf-8"))
    count = 0
    for cell in data["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] != "code" or tags & {"remove-cell", "remove-output"}:
            continue
        count += sum("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
    return count


def figure_faults(page, path: str) -> list[str]:
    chapter = CHAPTERS[path]
    images = page.evaluate(FIGURES_JS)
    faults = []
    notebook = ROOT / path.replace(".html", ".ipynb")
    if notebook.is_file():
        still = [i for i in images if not i["animation"]]
        if len(still) != declared_images(notebook):
            faults.append(
                f"the notebook has {declared_images(notebook)} image outputs, "
                f"the page shows {len(still)}"
            )
    for image in images:
        if not describes(image["alt"]):
            faults.append(f"alt text is not a description: {image['alt']!r} ({image['src']})")
        if not (image["number"] or "").startswith(f"Figure {chapter}."):
            faults.append(
                f"not a numbered figure 'Figure {chapter}.n': {image['number']!r} "
                f"({image['alt']!r})"
            )
    return faults


def test_figure_checks_find_each_fault(browser):
    assert not describes("../_images/8da1c0ffee8da1c0ffee8da1.png")
    assert not describes("figure.png") and not describes("") and not describes(None)
    assert not describes("_images/old_faithful.png") and not describes("plot")
    assert describes("Two Gaussian bumps; the left one is taller.")
    assert describes("Above a share of about 1/400 both curves lie on the diagonal.")


# --------------------------------------------------------------------------------------------
# Keyboard
# --------------------------------------------------------------------------------------------

FOCUS_VISIBLE_JS = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
    const ring = style.boxShadow && style.boxShadow !== 'none';
    return outline || ring;
}"""


def tab_to(page, predicate_js: str, limit: int = 400) -> None:
    """Press Tab until the focused element satisfies ``predicate_js(el)``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return {predicate_js}; }}"):
            return
    pytest.fail(f"{limit} presses of Tab never reached an element with {predicate_js}")


def test_an_animation_steps_from_the_keyboard(watched_page, base_url):
    paths = pages_containing('class="animation"')
    assert paths, "no page has a to_jshtml animation"
    page, problems = watched_page
    load(page, base_url, paths[0])
    animation = page.locator("div.animation").first
    slider = animation.locator("input.anim-slider")
    tab_to(page, "el.closest('div.animation') !== null && el.tagName === 'BUTTON'")
    assert page.evaluate(FOCUS_VISIBLE_JS), "the focused animation button has no visible focus"
    # Back to the first frame (which pauses), then one frame on, with Tab and Enter.
    for name in ("First frame", "Next frame"):
        tab_to(page, f"el.closest('div.animation') !== null && el.title === {name!r}", limit=20)
        if name == "Next frame":
            before = int(slider.input_value())
        page.keyboard.press("Enter")
    assert int(slider.input_value()) == before + 1, "Enter on 'Next frame' did not step"
    # The slider itself: focus it and step with the arrow key.
    slider.focus()
    value = int(slider.input_value())
    page.keyboard.press("ArrowRight")
    assert int(slider.input_value()) == value + 1, "the frame slider ignores the arrow keys"
    problems.assert_clean()


def test_a_solution_opens_from_the_keyboard(watched_page, base_url):
    paths = pages_containing("solution dropdown")
    assert paths, "no page has a dropdown solution"
    page, problems = watched_page
    load(page, base_url, paths[0])
    solution = page.locator("div.solution.dropdown").first
    body = solution.locator(":scope > :not(.admonition-title)").first
    tab_to(page, "el.matches('div.solution.dropdown button.toggle-button')")
    assert page.evaluate(FOCUS_VISIBLE_JS), "the focused solution toggle has no visible focus"
    assert not body.is_visible()
    page.keyboard.press("Enter")
    body.wait_for(state="visible", timeout=5_000)
    problems.assert_clean()


def test_search_from_the_keyboard(watched_page, base_url):
    page, problems = watched_page
    load(page, base_url, "intro.html")
    page.keyboard.press("Control+k")
    field = page.locator("input[name='q']:focus")
    field.wait_for(timeout=5_000)
    page.keyboard.type("responsibility")
    page.keyboard.press("Enter")
    page.locator("#search-results ul.search li").first.wait_for(timeout=20_000)
    problems.assert_clean()


# --------------------------------------------------------------------------------------------
# The student edition (make student): the pages that differ, the exercises, pass the same audit
# --------------------------------------------------------------------------------------------

EXERCISE_PAGES = [p for p, _ in TOC_PAGES if p.startswith("exercises/")]


@pytest.fixture(scope="module")
def student_base_url():
    if not (STUDENT_SITE / "index.html").is_file():
        pytest.skip("the student edition is built by `make student`, not by `make test`")
    handler = functools.partial(_QuietHandler, directory=str(STUDENT_SITE))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["intro.html", *EXERCISE_PAGES])
def test_student_edition_is_accessible(watched_page, student_base_url, path):
    page, problems = watched_page
    load(page, student_base_url, path)
    found = [v for v in axe_violations(page) if v["rule"] not in ACCEPTED_VIOLATIONS]
    assert not found, f"student {path}: axe-core:\n" + json.dumps(found, indent=1)
    problems.assert_clean()
