"""Build the docs site from the notebooks: nbs/ -> _proc/docs/ (processed notebooks) -> _docs/ (HTML).

nbdev_docs needs Quarto, which cannot be installed here, so the same notebooks are rendered by Sphinx with
myst-nb (notebook reader) and the furo theme, all from PyPI. What nbdev's pipeline does, this keeps:
- nbdev's own processors (`nbdev.processors`) hide `#| hide` / `#| export` cells, drop directive lines and
  add a `show_doc` cell after every exported function or class;
- `show_doc` is rendered by nbdev itself (`nbdev.showdoc.show_doc`) against the *imported* exported module,
  so no library notebook is executed: the API page shows each symbol's signature and docstring;
- backticked names of documented symbols (`` `ToolSpec` ``) become links to their API entry, as nbdev's
  `add_links` does, and backticked notebook paths (`` `nbs/00_protocol.ipynb` ``) link to their page;
- page names follow nbdev's: `nbs/00_protocol.ipynb` -> `protocol.html`, the links `_modidx.py` records.

Pages: `nbs/index.ipynb` is the home page; every other top-level notebook is an API page; the notebooks in
`nbs/experiments/` are tutorials, rendered with their stored outputs (plots included) from the committed
executed copy `docs/executed/<name>.ipynb` when there is one (it must hold the same code), else from the
notebook as committed. Nothing is executed at build time: experiments train models (minutes, a GPU) and
library notebooks would load models; nothing is downloaded either.

Sphinx runs with `-W -n --keep-going`: a broken cross-reference (a link to a missing page or anchor) or
a notebook left out of the sidebar (the toctree) fails the build, and after it every page is checked to
exist and to list every notebook in its sidebar.

Usage: python scripts/build_docs.py [--nbs nbs] [--out _docs] [--proc _proc/docs]
"""

from __future__ import annotations

import argparse
import ast
import configparser
import importlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONF_DIR = ROOT / "docs"  # conf.py, _static/
EXECUTED_DIR = ROOT / "docs" / "executed"  # committed executed copies of tutorial notebooks
TUTORIALS_DIR = "experiments"
SECTIONS = {"": "API", TUTORIALS_DIR: "Tutorials"}  # folder under nbs/ -> sidebar caption


class DocsError(Exception):
    "The docs could not be built: the message says which notebook or page and what to do."


def _settings() -> configparser.SectionProxy:
    cfg = configparser.ConfigParser(delimiters=["="], interpolation=None)
    cfg.read(ROOT / "settings.ini")
    return cfg["DEFAULT"]


# ---------------------------------------------------------------------------------------------- pages


@dataclass
class Page:
    src: Path  # the notebook in nbs/
    rel: Path  # its path relative to nbs/
    doc: str  # Sphinx docname: "index", "protocol", "experiments/sweep" -> _docs/<doc>.html
    section: str  # sidebar caption ("" for the home page)
    render_from: Path = None  # the file whose cells are rendered (an executed copy for tutorials)
    title: str = ""
    labels: dict = field(default_factory=dict)  # documented symbol -> label, filled by processing
    cells: list = field(default_factory=list)  # processed cell i came from cell cells[i] of the notebook (0-based)

    @property
    def html(self) -> str:
        return self.doc + ".html"


def _nbdev_name(p: Path) -> str:
    "nbdev's page name: `00_protocol.ipynb` -> `protocol` (nbdev.frontmatter._nbpath2html)."
    return re.sub(r"^\d+[a-zA-Z0-9]*_", "", p.stem.lower())


def discover(nbs: Path, executed_dir: Path = EXECUTED_DIR) -> list[Page]:
    "Every notebook under `nbs`: the home page, then API pages, then one section per sub-folder."
    nbs = Path(nbs)
    if not (nbs / "index.ipynb").exists():
        raise DocsError(f"{nbs}/index.ipynb is missing: it is the home page (the README) of the site")
    found = sorted(p for p in nbs.rglob("*.ipynb") if not any(part.startswith((".", "_")) for part in p.relative_to(nbs).parts))
    pages, seen = [], {}
    for p in found:
        rel = p.relative_to(nbs)
        folder = rel.parent.as_posix() if rel.parent != Path(".") else ""
        if rel == Path("index.ipynb"):
            doc, section = "index", ""
        else:
            doc = (f"{folder}/" if folder else "") + _nbdev_name(p)
            section = SECTIONS.get(folder, folder.replace("_", " ").replace("/", " / ").title())
        if doc in seen:
            raise DocsError(f"{rel} and {seen[doc]} would both be the page {doc}.html: rename one of them")
        seen[doc] = rel
        render_from = p
        if folder == TUTORIALS_DIR or folder.startswith(TUTORIALS_DIR + "/"):
            executed = Path(executed_dir) / rel.relative_to(TUTORIALS_DIR)
            if executed.exists():
                _check_executed_copy(p, executed)
                render_from = executed
        pages.append(Page(src=p, rel=rel, doc=doc, section=section, render_from=render_from, title=_title(p)))
    pages.sort(key=lambda pg: (pg.doc != "index", pg.section != "API", pg.section, pg.rel.as_posix()))
    return pages


def _title(nb: Path) -> str:
    "The notebook's `# Title` (the first H1 of a markdown cell)."
    for c in json.loads(nb.read_text())["cells"]:
        m = re.search(r"^#\s+(.+)$", "".join(c["source"]), flags=re.MULTILINE) if c["cell_type"] == "markdown" else None
        if m:
            return m.group(1).strip()
    raise DocsError(f"{nb}: no `# Title` markdown cell; nbdev notebooks open with an H1 title and a `> summary`")


def _code_sources(nb: dict) -> list[str]:
    return [
        "".join(c["source"]).strip()
        for c in nb["cells"]
        if c["cell_type"] == "code" and "injected-parameters" not in c.get("metadata", {}).get("tags", [])
    ]


def _check_executed_copy(src: Path, executed: Path):
    "An executed copy is shown instead of the notebook: it must run the same code, or the page would lie."
    if _code_sources(json.loads(src.read_text())) != _code_sources(json.loads(executed.read_text())):
        raise DocsError(
            f"{executed.relative_to(ROOT) if executed.is_relative_to(ROOT) else executed} is stale: its code "
            f"cells differ from {src}. Re-run it (papermill {src} {executed}) or delete it"
        )


# ---------------------------------------------------------------------------------------------- links

_re_fence = re.compile(r"^\s{0,3}(`{3,}|~{3,})(.*)$")
_re_link = re.compile(r"(\]\()([^)\s]+)((?:\s+\"[^\"]*\")?\))")
_re_backticks = re.compile(r"(?<!\[)`([^`\s]+?)(\(\))?`(?!\]\()")
_re_scheme = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _outside_code(md: str, fn) -> str:
    "Apply `fn` to each line of `md` that is not inside a fenced code block."
    out, fence = [], None
    for line in md.split("\n"):
        m = _re_fence.match(line)
        if m and fence is None:
            fence = m.group(1)
            out.append(line)
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2).strip():
            fence = None  # the closing fence: same character, at least as long, nothing after it
            out.append(line)
        elif fence or line.startswith("    "):
            out.append(line)
        else:
            out.append(fn(line))
    return "\n".join(out)


class Linker:
    "Rewrite a page's markdown links to the processed sources' names; turn backticked names into links."

    def __init__(self, pages: list[Page], nbs: Path, labels: dict[str, str], repo_url: str = ""):
        self.pages, self.nbs, self.labels = pages, Path(nbs).resolve(), labels
        self.repo_url = repo_url  # `<git_url>/blob/<branch>`: where links to the repository's other files go
        self.assets: set[Path] = set()  # files under nbs/ that pages link to (images): copied beside the pages
        self.by_src = {p.src.resolve(): p for p in pages}
        self.by_html = {p.html: p for p in pages}
        self.by_nbpath = {}
        for p in pages:  # `nbs/00_protocol.ipynb`, `00_protocol.ipynb`, `experiments/x.ipynb`
            for key in (f"{Path(nbs).name}/{p.rel.as_posix()}", p.rel.as_posix()):
                self.by_nbpath[key] = p

    def _rel(self, page: Page, target: Page) -> str:
        return os.path.relpath(target.doc + ".ipynb", start=os.path.dirname(page.doc) or ".")

    def _target(self, page: Page, t: str) -> str:
        if _re_scheme.match(t) or t.startswith("#"):
            return t
        path, _, frag = t.partition("#")
        frag = f"#{frag}" if frag else ""
        f = (page.src.parent / path).resolve()
        hit = self.by_src.get(f)
        if hit is None and path.endswith(".html"):  # nbdev-style link to a rendered page
            hit = self.by_html.get(os.path.normpath(os.path.join(os.path.dirname(page.doc), path)))
        if hit is not None:
            return self._rel(page, hit) + frag
        if f.is_file() and f.is_relative_to(self.nbs):
            self.assets.add(f)
        elif f.exists() and f.is_relative_to(ROOT) and self.repo_url:  # `../dpo_agent/recipes/x.yaml`
            return f"{self.repo_url}/{f.relative_to(ROOT).as_posix()}{frag}"
        return t  # unknown: Sphinx reports it as a broken cross-reference

    def _backtick(self, page: Page, m: re.Match) -> str:
        name = m.group(1)
        if name in self.labels:
            return f"[{m.group(0)}](#{self.labels[name]})"
        hit = self.by_nbpath.get(name)
        if hit is not None and hit is not page:
            return f"[{m.group(0)}]({self._rel(page, hit)})"
        return m.group(0)

    def line(self, page: Page, line: str) -> str:
        line = _re_link.sub(lambda m: m.group(1) + self._target(page, m.group(2)) + m.group(3), line)
        # backticks: only whole code spans, never inside an existing link text
        return _re_backticks.sub(lambda m: self._backtick(page, m), line)

    def __call__(self, page: Page, md: str) -> str:
        return _outside_code(md, lambda ln: self.line(page, ln))


# ---------------------------------------------------------------------------------------------- show_doc


def _default_exp(code: list[str]) -> str | None:
    for src in code:
        m = re.search(r"^\s*#\|\s*default_exp\s+(\S+)", src, flags=re.MULTILINE)
        if m:
            return m.group(1)
    return None


def _namespace(code: list[str], lib: str) -> dict:
    "What a `show_doc(...)` cell can name: the exported module's names, or the notebook's imports from the library."
    from nbdev.showdoc import show_doc

    ns = {"show_doc": show_doc}
    mod = _default_exp(code)
    if mod:
        ns.update(vars(importlib.import_module(f"{lib}.{mod}")))
        return ns
    for src in code:  # tutorials: run only the notebook's `import`/`from` lines that name the library
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in tree.body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            mods = names + ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(m == lib or m.startswith(lib + ".") for m in mods):
                exec(compile(ast.Module([node], []), "<imports>", "exec"), ns)  # noqa: S102 -- the notebook's own import line
    return ns


def _source_line(obj) -> int | None:
    try:
        return inspect.getsourcelines(inspect.unwrap(obj))[1]
    except (TypeError, OSError):
        return None


def _render_show_doc(expr: str, ns: dict, where: str, used: set) -> tuple[str, str, str]:
    "Evaluate one `show_doc(...)` cell; return (label, heading title, markdown). `used`: the labels taken so far."
    from docutils.nodes import make_id

    try:
        r = eval(expr, ns)
        md = r._repr_markdown_()
    except Exception as e:
        raise DocsError(
            f"{where}: `{expr}` failed ({type(e).__name__}: {e}). The API docs come from the exported module: "
            "run `make export` (nbdev_export) so it holds what the notebook defines"
        ) from e
    obj = getattr(r, "sym", None)
    title = re.search(r"^#+\s+(.+)$", md, flags=re.MULTILINE).group(1).strip()
    qual = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', title)}".strip(".")
    label = qual if getattr(obj, "__module__", None) else title
    lines, heading = [], False
    for ln in md.strip().split("\n"):
        if ln.strip() == "---":  # nbdev's separator: a docutils transition may not start a section
            continue
        m = re.match(r"^\[source\]\((\S+?)(#L\w*)?\)\{[^}]*\}\s*$", ln)
        if m:  # Quarto attributes -> plain HTML; nbdev's line anchor is `#LNone` for many symbols
            n = _source_line(obj)
            ln = f'<a class="nbdev-source" href="{m.group(1)}{f"#L{n}" if n else ""}" target="_blank" rel="noopener">source</a>'
        elif re.match(r"^#+\s", ln) and not heading and label.lower() not in used:
            # a label for cross-references, and nbdev's anchor (`toolspec.from_dict`) so _modidx links land here;
            # a symbol shown twice gets them once (Sphinx labels are unique and case-insensitive)
            heading = True
            used.add(label.lower())
            anchor = title.lower()
            extra = f'<span id="{anchor}"></span>\n\n' if make_id(anchor) != anchor else ""
            ln = f"{extra}({label})=\n{ln}"
        lines.append(ln)
    return label, title, "\n".join(lines)


# ---------------------------------------------------------------------------------------------- notebooks

_QUARTO_TAGS = {("echo", "false"): "remove-input", ("output", "false"): "remove-output"}


def _quarto_options(cell) -> bool:
    "Turn the Quarto options nbdev leaves in a cell (`#| echo: false`) into myst-nb tags; False: drop the cell."
    keep, tags = [], list(cell.get("metadata", {}).get("tags", []))
    for ln in cell.source.split("\n"):
        m = re.match(r"^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$", ln)
        if not m:
            keep.append(ln)
            continue
        k, v = m.group(1), m.group(2).lower()
        if (k, v) == ("include", "false"):
            return False
        if (k, v) in _QUARTO_TAGS:
            tags.append(_QUARTO_TAGS[(k, v)])
    cell.source = "\n".join(keep).strip("\n")
    if tags:
        cell.setdefault("metadata", {})["tags"] = tags
    return True


def _plain(cell) -> dict:
    "A cell as plain nbformat 4 JSON (no processing attributes)."
    d = {"cell_type": cell.cell_type, "metadata": dict(cell.get("metadata", {})), "source": cell.source}
    if cell.cell_type == "code":
        d["execution_count"] = cell.get("execution_count")
        d["outputs"] = json.loads(json.dumps(cell.get("outputs", [])))
    elif "attachments" in cell:
        d["attachments"] = json.loads(json.dumps(cell["attachments"]))
    d["metadata"] = {k: v for k, v in d["metadata"].items() if k in ("tags", "scrolled", "collapsed")}
    return d


def process(page: Page, lib: str, used: set | None = None) -> list[dict]:
    "Run nbdev's processors over one notebook and render its `show_doc` cells into markdown (no execution)."
    from execnb.nbio import read_nb
    from nbdev import processors as P
    from nbdev.process import NBProcessor

    nb = read_nb(page.render_from)
    code = [c.source for c in nb.cells if c.cell_type == "code"]  # before the processors drop directives
    for c in nb.cells:
        c.orig_ = c.idx_
    procs = [
        P.populate_language,
        P.add_show_docs,  # a show_doc(...) cell after each exported def/class
        P.strip_ansi,
        P.hide_line,
        P.filter_stream_,
        P.rm_header_dash,
        P.rm_export,  # export / exporti / hide / default_exp cells go
        P.ai_magics,
        P.clean_magics,
        P.hide_,
        P.mv_exports,
        P.strip_hidden_metadata,
    ]
    proc = NBProcessor(nb=nb, procs=procs)
    proc.process()
    ns, cells, orig = None, [], 0
    page.cells = []
    for c in proc.nb.cells:
        orig = c.get("orig_", orig)  # an added show_doc cell: the exported cell before it
        if c.cell_type == "code" and re.match(r"^show_doc\(", c.source.strip()) and c.source.strip().endswith(")"):
            if ns is None:
                try:
                    ns = _namespace(code, lib)
                except Exception as e:
                    raise DocsError(
                        f"{page.rel}: its exported module does not import ({type(e).__name__}: {e}); "
                        "run `make export` and check that `python -c 'import <module>'` works"
                    ) from e
            label, title, md = _render_show_doc(c.source.strip(), ns, f"{page.rel}, cell {orig + 1}", used if used is not None else set())
            page.labels[title] = label
            cells.append({"cell_type": "markdown", "metadata": {}, "source": md})
        elif (c.cell_type == "code" and not _quarto_options(c)) or c.cell_type == "raw" or not c.source.strip():
            continue  # `#| include: false`, raw cells (Quarto front matter), cells the processors emptied
        else:
            cells.append(_plain(c))
        page.cells.append(orig)
    return cells


def _toctree(pages: list[Page]) -> str:
    out = []
    for section in dict.fromkeys(p.section for p in pages if p.doc != "index"):
        docs = "\n".join(p.doc for p in pages if p.section == section and p.doc != "index")
        out.append(f"```{{toctree}}\n:hidden:\n:caption: {section}\n\n{docs}\n```")
    return "\n\n".join(out)


def write_sources(pages: list[Page], nbs: Path, proc_dir: Path, toc_pages: list[Page] | None = None) -> None:
    "Write the processed notebooks into `proc_dir` and the sidebar (toctrees of `toc_pages`) into the home page."
    s = _settings()
    lib = s.get("lib_name", "dpo_agent")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    used = set()  # show_doc labels, unique across the site
    processed = {p.doc: process(p, lib, used) for p in pages}
    labels = {}
    for p in pages:
        for title, label in p.labels.items():
            labels.setdefault(title, label)
            labels.setdefault(label, label)  # `dpo_agent.protocol.ToolSpec`
            labels.setdefault(label.removeprefix(lib + "."), label)  # `protocol.ToolSpec`
    link = Linker(pages, nbs, labels, repo_url=f"{s.get('git_url', '').rstrip('/')}/blob/{s.get('branch', 'main')}")
    if proc_dir.exists():
        shutil.rmtree(proc_dir)
    for p in pages:
        cells = processed[p.doc]
        for c in cells:
            if c["cell_type"] == "markdown":
                c["source"] = link(p, c["source"])
        if p.doc == "index":
            cells.append({"cell_type": "markdown", "metadata": {}, "source": _toctree(toc_pages or pages)})
        meta = json.loads(p.render_from.read_text()).get("metadata", {})
        nb = {
            "cells": cells,
            "metadata": {k: meta[k] for k in ("kernelspec", "language_info") if k in meta},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        for i, c in enumerate(nb["cells"]):
            c["id"] = f"c{i}"
            if isinstance(c["source"], str):
                c["source"] = c["source"].splitlines(keepends=True)
        dst = proc_dir / (p.doc + ".ipynb")
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    for f in sorted(link.assets):  # images and files the pages link to, at the same place relative to them
        (proc_dir / f.relative_to(link.nbs)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, proc_dir / f.relative_to(link.nbs))


# ---------------------------------------------------------------------------------------------- sphinx


def _locate(line: str, proc_dir: Path, pages: list[Page]) -> str:
    "`_proc/docs/core.ipynb:10006: WARNING: ...` -> `nbs/00_core.ipynb, cell 2, line 6: WARNING: ...`"
    m = re.match(r"^(\S+?\.ipynb)(?::(\d+))?:\s*(.*)$", line)
    if not m:
        return line
    try:
        doc = Path(m.group(1)).resolve().relative_to(proc_dir.resolve()).with_suffix("").as_posix()
    except ValueError:
        return line
    page = next((p for p in pages if p.doc == doc), None)
    if page is None:
        return line
    where = f"{page.render_from.relative_to(ROOT) if page.render_from.is_relative_to(ROOT) else page.render_from}"
    if m.group(2):  # myst-nb numbers lines as 10000 * (cell + 1) + line + 1
        i, ln = divmod(int(m.group(2)), 10000)
        i, ln = i - 1, ln - 1
        cell = page.cells[i] + 1 if i < len(page.cells) else None
        where += f", cell {cell}, line {ln}" if cell else f", line {ln} of the sidebar"
    return f"{where}: {m.group(3)}"


def sphinx_build(proc_dir: Path, out: Path, pages: list[Page] = ()) -> None:
    "HTML from the processed notebooks; every warning (broken link, page outside the sidebar) is an error."
    # myst-nb writes images beside the output folder (`<outdir>/../jupyter_execute`): build under _proc, then move
    work = proc_dir.parent / (proc_dir.name + "_build")
    if work.exists():
        shutil.rmtree(work)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-E", "-q", "-W", "-n", "--keep-going"]
    cmd += ["-c", str(CONF_DIR), "-d", str(work / "doctrees"), str(proc_dir), str(work / "html")]
    r = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if r.returncode != 0:
        warnings = "\n".join(_locate(ln, proc_dir, pages) for ln in (r.stderr + r.stdout).splitlines() if ln.strip())
        hint = (
            "Each WARNING above is an error (cells are counted from 1): a link to a missing page or anchor, or a page "
            "outside the sidebar. Link to a notebook by its file name, [text](04_train.ipynb) or "
            f"[text](04_train.ipynb#a-heading), or to a symbol with `name` in backticks. Processed copies: {proc_dir}"
        )
        raise DocsError(f"sphinx-build failed:\n{warnings}\n{hint}")
    shutil.rmtree(work / "html" / "_sources", ignore_errors=True)  # html_copy_source=False leaves it empty
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(work / "html"), str(out))


class _Links(HTMLParser):
    "The title, the hrefs of the sidebar tree and the brand (home) link of one furo page."

    def __init__(self):
        super().__init__()
        self.title, self.sidebar, self._in_title, self._depth = "", [], False, 0
        self.brand = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "title" and not self.title:  # the page's <title>, not the SVG icons' ones
            self._in_title = True
        if tag == "div" and "sidebar-tree" in (a.get("class") or "").split():
            self._depth = 1
        elif tag == "div" and self._depth:
            self._depth += 1
        if tag == "a" and "sidebar-brand" in (a.get("class") or "").split():
            self.brand = a.get("href")
        if tag == "a" and self._depth and a.get("href"):
            self.sidebar.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag == "div" and self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def page_links(html: str) -> _Links:
    p = _Links()
    p.feed(html)
    p.title = p.title.strip()
    return p


def sidebar_targets(html: str, page_doc: str) -> set[str]:
    "The pages (`protocol.html`, `index.html`) a rendered page's sidebar links to, relative to the site root."
    links = page_links(html)
    base = os.path.dirname(page_doc)
    hrefs = links.sidebar + ([links.brand] if links.brand else [])
    out = set()
    for h in hrefs:
        h = h.split("#")[0]
        if h and not _re_scheme.match(h):
            out.add(os.path.normpath(os.path.join(base, h)).replace("\\", "/"))
        elif h == "":
            out.add(page_doc + ".html")
    return out


def check_site(out: Path, pages: list[Page]) -> None:
    "Every notebook has its page, and every page's sidebar lists every notebook."
    out = Path(out)
    want = {p.html for p in pages}
    problems = []
    for p in pages:
        f = out / p.html
        if not f.exists():
            problems.append(f"{p.rel}: no page {f}")
            continue
        missing = want - sidebar_targets(f.read_text(encoding="utf-8"), p.doc)
        if missing:
            names = ", ".join(str(q.rel) for q in pages if q.html in missing)
            problems.append(f"{p.html}: the sidebar does not list {names}")
    if problems:
        raise DocsError("the site is incomplete:\n" + "\n".join(problems))


def build(
    nbs: Path = ROOT / "nbs",
    out: Path = ROOT / "_docs",
    proc_dir: Path = ROOT / "_proc" / "docs",
    executed_dir: Path = EXECUTED_DIR,
    toc_pages=None,  # tests: a function pages -> the pages the sidebar lists (default: all)
) -> list[Page]:
    "nbs/ -> processed notebooks -> HTML, then the checks. Returns the pages."
    nbs, out, proc_dir = Path(nbs), Path(out), Path(proc_dir)
    pages = discover(nbs, executed_dir)
    write_sources(pages, nbs, proc_dir, toc_pages=toc_pages(pages) if callable(toc_pages) else toc_pages)
    sphinx_build(proc_dir, out, pages)
    check_site(out, pages)
    return pages


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nbs", default=str(ROOT / "nbs"), help="notebook folder (default: nbs)")
    ap.add_argument("--out", default=str(ROOT / "_docs"), help="site folder (default: _docs)")
    ap.add_argument("--proc", default=str(ROOT / "_proc" / "docs"), help="processed notebooks (default: _proc/docs)")
    a = ap.parse_args(argv)
    t = time.time()
    try:
        pages = build(Path(a.nbs), Path(a.out), Path(a.proc))
    except DocsError as e:
        print(f"docs: {e}", file=sys.stderr)
        return 1
    print(f"docs: {len(pages)} pages in {a.out} ({time.time() - t:.0f} s); open {a.out}/index.html")
    for p in pages:
        src = p.render_from.relative_to(ROOT) if p.render_from.is_relative_to(ROOT) else p.render_from
        print(f"  {p.section or 'Home':<10} {p.html:<32} <- {src}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
