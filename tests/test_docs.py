"""The docs site (`make docs`): rendered from the notebooks, served on 127.0.0.1 and loaded in headless Chromium.

Run by `make test-docs` (marker `docs`). The site is rendered into `_docs/` exactly as `make docs` does; the
browser's screenshots go to `_docs_screenshots/` (CI artefacts). The second half builds tiny sites in tmp and
checks that a broken cross-reference or a notebook missing from the sidebar fails the build.

Chromium is driven from its command line (`--dump-dom`: the DOM after the page's scripts ran; `--screenshot`):
the checks need the rendered DOM and a picture, not clicks, so no driver (chromedriver, playwright) is needed.
"""

import ast
import base64
import functools
import html
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import build_docs

pytestmark = pytest.mark.docs
SITE = ROOT / "_docs"
SHOTS = ROOT / "_docs_screenshots"
LIB = "dpo_agent"


# ---------------------------------------------------------------------------------------------- helpers


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.fail("no Chromium: `apt-get install -y chromium` (Debian's package; .ci/run installs it)")
    return exe


def browse(url: str, tmp: Path, screenshot: Path | None = None) -> str:
    "Load `url` in headless Chromium; return the DOM after its scripts ran; optionally save a PNG."
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
    base += ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
    base += ["--hide-scrollbars", "--window-size=1280,1000", f"--user-data-dir={tmp / 'chromium-profile'}"]
    r = subprocess.run(base + ["--dump-dom", url], check=False, capture_output=True, text=True, timeout=90)
    assert r.returncode == 0 and "<html" in r.stdout, f"Chromium could not load {url}: {r.stderr[-2000:]}"
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        screenshot.unlink(missing_ok=True)
        s = subprocess.run(base + [f"--screenshot={screenshot}", url], check=False, capture_output=True, text=True, timeout=90)
        assert s.returncode == 0 and screenshot.exists(), f"no screenshot of {url}: {s.stderr[-2000:]}"
        assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return r.stdout


def public_defs(module: str) -> list[str]:
    "The functions and classes a library module exports (its `__all__`), read from the source without importing it."
    tree = ast.parse((ROOT / LIB / f"{module}.py").read_text())
    defs = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    names = next(
        (ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "__all__"),
        [],
    )
    return [n for n in names if n in defs]


def default_exp(nb: Path) -> str | None:
    for c in json.loads(nb.read_text())["cells"]:
        src = "".join(c["source"])
        if c["cell_type"] == "code" and src.startswith("#| default_exp "):
            return src.split()[2]
    return None


# ---------------------------------------------------------------------------------------------- the real site


@pytest.fixture(scope="module")
def site():
    "Render the site exactly as `make docs` does."
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_docs.py")], check=False, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, f"make docs failed:\n{r.stdout}\n{r.stderr}"
    return build_docs.discover(ROOT / "nbs")


@pytest.fixture(scope="module")
def server(site):
    "Serve _docs/ on 127.0.0.1 on a free port."

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_one_page_per_notebook(site):
    nbs = sorted(  # nbdev skips notebooks and folders whose name starts with `_` or `.`
        p.relative_to(ROOT / "nbs")
        for p in (ROOT / "nbs").rglob("*.ipynb")
        if not any(x[0] in "._" for x in p.relative_to(ROOT / "nbs").parts)
    )
    assert sorted(p.rel for p in site) == nbs
    assert (SITE / "index.html").exists()
    for p in site:
        assert (SITE / p.html).exists(), f"{p.rel} has no page {p.html}"
    assert all(p.section == "API" for p in site if p.rel.parent == Path(".") and p.doc != "index")
    assert all(p.section == "Tutorials" for p in site if p.rel.parts[0] == "experiments")


def test_every_api_page_documents_its_exports(site):
    "nbdev's show_doc: each exported function/class of a library notebook has its entry, signature and docstring."
    from docutils.nodes import make_id

    checked = 0
    for p in site:
        mod = default_exp(p.src)
        if not mod:
            continue
        page = (SITE / p.html).read_text()
        for name in public_defs(mod):
            assert f'id="{make_id(f"{LIB}.{mod}.{name}")}"' in page, f"{p.html}: no show_doc entry for {name}"
            checked += 1
        if public_defs(mod):
            assert 'class="nbdev-source"' in page and "highlight-python" in page
    assert checked > 0


def test_the_site_needs_no_network(site):
    "Every script, stylesheet and font is in _docs/ (MathJax, on pages with math, is the one remote script)."
    for f in SITE.rglob("*.html"):
        for tag in re.findall(r"<(?:script|link)\b[^>]*>", f.read_text()):
            if 'rel="canonical"' in tag or "mathjax" in tag.lower():
                continue
            assert not re.search(r'(?:src|href)="(?:https?:)?//', tag), f"{f.relative_to(SITE)} loads {tag}"
    for f in SITE.rglob("*.css"):  # no web fonts or stylesheets imported from elsewhere
        remote = re.findall(r"(?:url\(|@import)\s*['\"]?(?:https?:)?//[^)'\"]+", f.read_text())
        assert not remote, f"{f.relative_to(SITE)} loads {remote}"


def test_index_in_chromium(site, server, tmp_path):
    dom = browse(f"{server}/index.html", tmp_path, SHOTS / "index.png")
    links = build_docs.page_links(dom)
    index = next(p for p in site if p.doc == "index")
    assert links.title.startswith(index.title), links.title
    missing = {p.html for p in site} - build_docs.sidebar_targets(dom, "index")
    assert not missing, f"the sidebar does not list {missing}"
    assert "Direct Preference Optimization" in dom  # the README's text
    # the README's backticked notebook paths link to their pages
    assert 'href="protocol.html"' in dom


def test_api_page_in_chromium(site, server, tmp_path):
    page = next(p for p in site if default_exp(p.src) == "protocol")
    dom = browse(f"{server}/{page.html}", tmp_path, SHOTS / f"{page.doc}.png")
    links = build_docs.page_links(dom)
    assert links.title == f"{page.title} - {LIB}", links.title
    assert page.title == "Protocol"
    missing = {p.html for p in site} - build_docs.sidebar_targets(dom, page.doc)
    assert not missing, f"the sidebar does not list {missing}"
    for name in public_defs("protocol"):
        assert f'<h3>{name}<a class="headerlink"' in dom, f"no show_doc heading for {name}"
    text = html.unescape(re.sub(r"<[^>]+>", "", dom))
    tree = ast.parse((ROOT / LIB / "protocol.py").read_text())
    doc = next(ast.get_docstring(n) for n in tree.body if getattr(n, "name", "") == "parse_turn")
    assert "def parse_turn(" in text, "no signature"  # show_doc's signature block
    assert doc.replace("`", "").split(".")[0] in " ".join(text.split()), "no docstring"


def test_tutorial_pages_in_chromium(site, server, tmp_path):
    tutorials = [p for p in site if p.section == "Tutorials"]
    if not tutorials:
        pytest.skip("no tutorial notebooks in nbs/experiments/ yet")
    for p in tutorials:
        dom = browse(f"{server}/{p.html}", tmp_path, SHOTS / f"{p.doc.replace('/', '_')}.png")
        assert build_docs.page_links(dom).title.startswith(p.title)
        assert not ({q.html for q in site} - build_docs.sidebar_targets(dom, p.doc))


# ---------------------------------------------------------------------------------------------- tiny sites

# a 1x1 PNG: the "plot" a tutorial's executed copy shows
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc000000301010018dd8db40000000049454e44ae426082"
    )
).decode()


def _nb(*cells) -> dict:
    out = []
    for kind, src, *outputs in cells:
        c = {"cell_type": kind, "metadata": {}, "source": src}
        if kind == "code":
            c.update(execution_count=None, outputs=outputs[0] if outputs else [])
        out.append(c)
    meta = {"kernelspec": {"display_name": "python3", "language": "python", "name": "python3"}}
    return {"cells": out, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}


def tiny_project(tmp: Path, core_md: str = "See the [home page](index.ipynb) and [a section](#a-section).") -> tuple[Path, Path]:
    "nbs/ with a home page, one library notebook and one tutorial, plus an executed copy of the tutorial."
    nbs, executed = tmp / "nbs", tmp / "executed"
    files = {
        "index.ipynb": _nb(
            ("markdown", "# tiny\n\n> A tiny site.\n\nThe core: `nbs/00_core.ipynb`, [its section](00_core.ipynb#a-section), "),
            ("markdown", "[nbdev's link](core.html#a-section); [the plot](experiments/plot.ipynb).\n\n![a diagram](images/d.png)"),
        ),
        "00_core.ipynb": _nb(("markdown", "# Core\n\n> The core.\n\n" + core_md), ("markdown", "## A section\n\nText."), ("code", "1 + 1")),
        "experiments/plot.ipynb": _nb(("markdown", "# A plot\n\n> A tutorial. [Back](../00_core.ipynb)"), ("code", "plot()")),
    }
    (nbs / "images").mkdir(parents=True)
    (nbs / "images" / "d.png").write_bytes(base64.b64decode(PNG))
    for rel, nb in files.items():
        (nbs / rel).parent.mkdir(parents=True, exist_ok=True)
        (nbs / rel).write_text(json.dumps(nb))
    ran = _nb(
        ("markdown", "# A plot\n\n> A tutorial. [Back](../00_core.ipynb)"),
        ("code", "plot()", [{"output_type": "display_data", "metadata": {}, "data": {"image/png": PNG, "text/plain": "<Figure>"}}]),
    )
    executed.mkdir()
    (executed / "plot.ipynb").write_text(json.dumps(ran))
    return nbs, executed


def tiny_build(tmp: Path, nbs: Path, executed: Path, **kw):
    return build_docs.build(nbs, tmp / "_docs", tmp / "_proc" / "docs", executed_dir=executed, **kw)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    "A tiny site that builds: (tmp folder, pages)."
    tmp = tmp_path_factory.mktemp("tiny")
    nbs, executed = tiny_project(tmp)
    return tmp, tiny_build(tmp, nbs, executed)


def test_tiny_site_builds_with_the_executed_tutorial(tiny):
    tmp, pages = tiny
    assert [p.html for p in pages] == ["index.html", "core.html", "experiments/plot.html"]
    plot = next(p for p in pages if p.doc == "experiments/plot")
    assert plot.render_from == tmp / "executed" / "plot.ipynb"
    page = (tmp / "_docs" / "experiments" / "plot.html").read_text()
    assert "<img" in page and list((tmp / "_docs" / "_images").glob("*.png")), "the tutorial's plot is not on its page"
    index = (tmp / "_docs" / "index.html").read_text()
    assert 'href="core.html"' in index and index.count('href="core.html#a-section"') == 2  # links renamed as pages are
    assert 'href="../core.html"' in page
    assert '<img alt="a diagram" src="_images/d.png"' in index, "an image beside the notebooks is not on the page"


def test_broken_cross_reference_fails(tmp_path):
    nbs, executed = tiny_project(tmp_path, core_md="See [training](04_train.ipynb) and [resume](#resuming).")
    with pytest.raises(build_docs.DocsError) as e:
        tiny_build(tmp_path, nbs, executed)
    msg = str(e.value)
    assert "04_train.ipynb" in msg and "resuming" in msg and "core.ipynb" in msg


def test_notebook_missing_from_sidebar_fails(tmp_path):
    nbs, executed = tiny_project(tmp_path)
    with pytest.raises(build_docs.DocsError, match="toctree"):
        tiny_build(tmp_path, nbs, executed, toc_pages=lambda pages: [p for p in pages if p.doc != "core"])


def test_check_site_catches_a_sidebar_without_a_notebook(tiny, tmp_path):
    src, pages = tiny
    site = shutil.copytree(src / "_docs", tmp_path / "_docs")
    build_docs.check_site(site, pages)
    page = (site / "index.html").read_text()
    assert 'href="core.html"' in page
    (site / "index.html").write_text(page.replace('href="core.html"', 'href="#"'))
    with pytest.raises(build_docs.DocsError, match=r"index.html: the sidebar does not list 00_core.ipynb"):
        build_docs.check_site(site, pages)
    (site / "core.html").unlink()
    with pytest.raises(build_docs.DocsError, match=r"00_core.ipynb: no page"):
        build_docs.check_site(site, pages)


def test_stale_executed_copy_fails(tmp_path):
    nbs, executed = tiny_project(tmp_path)
    nb = json.loads((nbs / "experiments" / "plot.ipynb").read_text())
    nb["cells"][1]["source"] = "plot(bins=20)"
    (nbs / "experiments" / "plot.ipynb").write_text(json.dumps(nb))
    with pytest.raises(build_docs.DocsError, match="stale"):
        build_docs.discover(nbs, executed)


def test_two_notebooks_on_one_page_fail(tmp_path):
    nbs, executed = tiny_project(tmp_path)
    shutil.copy(nbs / "00_core.ipynb", nbs / "01_core.ipynb")
    with pytest.raises(build_docs.DocsError, match="both be the page core.html"):
        build_docs.discover(nbs, executed)


def test_api_docs_of_a_module_that_was_not_exported_fail(tmp_path):
    "show_doc reads the exported module: a notebook whose module is missing says to run `make export`."
    nbs, executed = tiny_project(tmp_path)
    nb = json.loads((nbs / "00_core.ipynb").read_text())
    nb["cells"][:0] = [
        {"cell_type": "code", "metadata": {}, "source": "#| default_exp not_exported_yet", "outputs": [], "execution_count": None},
        {"cell_type": "code", "metadata": {}, "source": "#| export\ndef f(x): return x", "outputs": [], "execution_count": None},
    ]
    (nbs / "00_core.ipynb").write_text(json.dumps(nb))
    with pytest.raises(build_docs.DocsError, match=r"00_core.ipynb: its exported module does not import .*make export"):
        tiny_build(tmp_path, nbs, executed)
