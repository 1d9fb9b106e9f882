"""Copy the site's JavaScript from npm's packages into ``_assets_offline/`` (run by ``make book``).

A Jupyter Book 1 page loads MathJax, require.js and the ipywidgets HTML manager from CDNs. The
course website must work in an exam room without internet, so ``make book`` installs the pinned
npm packages (``package.json`` / ``package-lock.json``, ``npm ci``) and this script copies what
the pages need into ``_assets_offline/offline/``. ``_config.yml`` then

* lists ``_assets_offline`` in ``html_extra_path``, so Sphinx copies ``offline/`` to the root
  of ``_build/html`` (the folder is deliberately **not** ``_static``: Jupyter Book 1 adds every
  ``.js`` file under a source ``_static`` folder to every page as a script tag);
* points ``mathjax_path`` and ``nb_ipywidgets_js`` at ``../offline/...`` (Sphinx prefixes relative
  script paths with ``_static/``, hence the ``..``).

``widgets-config.js``, written here, tells require.js where the widget modules live, so that the
HTML manager finds its fonts next to its own script instead of on a CDN, and lets the manager's
MathJax 2 calls (``MathJax.Hub.Queue``) reach MathJax 3.

Usage: ``python tools/offline_assets.py`` from the repository root (after ``npm ci``).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
OUT = ROOT / "_assets_offline" / "offline"

# require.js path configuration, run between require.js and the widget manager's embed-amd.js.
# The widget bundles compute the URL of their fonts from the URL require.js gives their module,
# and the HTML manager from ``window.__jupyter_widgets_assets_path__``: both must point at the
# local copy. The URL is derived from this script's own address so it works on every page depth.
WIDGETS_CONFIG_JS = """\
// Written by tools/offline_assets.py: serve the ipywidgets HTML manager from this site.
(function () {
  var here = document.currentScript.src;
  var dir = here.slice(0, here.lastIndexOf("/") + 1);
  var dist = dir + "html-manager/dist/";
  window.__jupyter_widgets_assets_path__ = dist;
  var bundle = dist + "embed-amd";
  var paths = {};
  %s.forEach(function (name) { paths[name] = bundle; });
  window.requirejs.config({ paths: paths });

  // The widget manager typesets labels with MathJax 2's API (MathJax.Hub.Queue); the book
  // loads MathJax 3. Translate, once MathJax 3 has replaced its configuration object
  // (MathJax's script is deferred, so it has run by DOMContentLoaded).
  function typesetLater(element) {
    var mj = window.MathJax;
    if (!mj || !mj.typesetPromise) { return; }
    var ready = (mj.startup && mj.startup.promise) || Promise.resolve();
    ready.then(function () { return mj.typesetPromise([element]); })
      .catch(function (err) { console.warn("MathJax could not typeset a widget label", err); });
  }
  function shimMathJax2() {
    var mj = window.MathJax;
    if (mj && !mj.Hub) {
      mj.Hub = {
        Queue: function () {
          Array.prototype.forEach.call(arguments, function (job) {
            if (Array.isArray(job) && job[0] === "Typeset" && job[2]) { typesetLater(job[2]); }
          });
        },
      };
    }
  }
  shimMathJax2();
  document.addEventListener("DOMContentLoaded", shimMathJax2);
})();
"""

# The AMD modules that embed-amd.js defines (checked by copy_widgets below).
WIDGET_MODULES = [
    "@jupyter-widgets/base",
    "@jupyter-widgets/base7",
    "@jupyter-widgets/controls",
    "@jupyter-widgets/controls7",
    "@jupyter-widgets/html-manager",
    "@jupyter-widgets/html-manager/dist/libembed-amd",
]

FONT_SUFFIXES = {".woff2", ".woff", ".ttf", ".eot", ".svg"}


def _package_version(name: str) -> str:
    return json.loads((NODE_MODULES / name / "package.json").read_text())["version"]


def copy_mathjax() -> None:
    src = NODE_MODULES / "mathjax" / "es5"
    shutil.copytree(src, OUT / "mathjax")
    # The a11y "speech rule engine" maps are only fetched on demand, but keep them: they are
    # what a screen-reader user asks for from MathJax's menu, and they are local files.
    assert (OUT / "mathjax" / "tex-chtml.js").is_file()


def copy_requirejs() -> None:
    (OUT / "requirejs").mkdir(parents=True)
    shutil.copy2(NODE_MODULES / "requirejs" / "require.js", OUT / "requirejs" / "require.js")


def copy_widgets() -> None:
    dist = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"
    out = OUT / "html-manager" / "dist"
    out.mkdir(parents=True)
    embed = (dist / "embed-amd.js").read_text(encoding="utf-8")
    missing = [name for name in WIDGET_MODULES if f'define("{name}"' not in embed]
    if missing:
        raise SystemExit(
            f"embed-amd.js no longer defines {missing}: update WIDGET_MODULES in {__file__}"
        )
    shutil.copy2(dist / "embed-amd.js", out / "embed-amd.js")
    for path in dist.iterdir():
        if path.suffix in FONT_SUFFIXES:
            shutil.copy2(path, out / path.name)
    (OUT / "widgets-config.js").write_text(
        WIDGETS_CONFIG_JS % json.dumps(WIDGET_MODULES), encoding="utf-8"
    )


def main() -> int:
    for name in ("mathjax", "requirejs", "@jupyter-widgets/html-manager"):
        if not (NODE_MODULES / name / "package.json").is_file():
            print(f"node_modules/{name} is missing: run `npm ci` first", file=sys.stderr)
            return 1
    if OUT.parent.exists():
        shutil.rmtree(OUT.parent)
    OUT.mkdir(parents=True)
    copy_mathjax()
    copy_requirejs()
    copy_widgets()
    versions = {
        name: _package_version(name)
        for name in ("mathjax", "requirejs", "@jupyter-widgets/html-manager")
    }
    (OUT / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n", encoding="utf-8")
    print(f"offline assets in {OUT.relative_to(ROOT)}: {versions}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
