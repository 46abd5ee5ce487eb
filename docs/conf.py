"""Sphinx configuration of the docs site (`make docs`).

scripts/build_docs.py processes nbs/ into _proc/docs/ and runs `sphinx-build -c docs _proc/docs _docs`
with this file; settings.ini gives the project's name, version and URLs. Nothing here downloads anything:
no intersphinx, no web fonts (furo uses the system's fonts), no notebook execution.
"""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_cfg = configparser.ConfigParser(delimiters=["="], interpolation=None)
_cfg.read(ROOT / "settings.ini")
_s = _cfg["DEFAULT"]

project = _s["title"]
author = _s["author"]
copyright = _s["copyright"]
version = release = _s["version"]

extensions = [
    "myst_nb",  # reads the processed .ipynb (and registers myst_parser for their Markdown)
    "sphinx.ext.githubpages",  # writes .nojekyll so GitHub Pages serves _static/
]
root_doc = "index"
exclude_patterns = ["**.ipynb_checkpoints"]

# -- notebooks: shown as committed (or as their committed executed copy), never run at build time
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "attrs_inline", "deflist", "strikethrough"]
myst_heading_anchors = 4  # `[text](train.ipynb#resume)` links to a heading, as Quarto's anchors do
myst_all_links_external = False

# -- every warning fails the build (sphinx-build -W -n): broken links, pages outside the sidebar.
# Silenced only: H1 -> H3 jumps (nbdev's show_doc headings are H3 under a notebook's H1, as on nbdev sites),
# and outputs whose only MIME type the browser cannot show (widget state), which myst-nb skips.
nitpicky = True
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]

# -- HTML
html_theme = "furo"
html_title = project
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_copy_source = False
html_show_sourcelink = False
html_baseurl = _s.get("doc_host", "").rstrip("/") + _s.get("doc_baseurl", "") + "/"
# no "view/edit source" buttons: furo would point them at the processed copies (_proc/docs/protocol.ipynb), not at
# nbs/00_protocol.ipynb; each show_doc entry links to its exported source instead
html_theme_options = {"navigation_with_keys": True}
pygments_style = "friendly"
pygments_dark_style = "monokai"
