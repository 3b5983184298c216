"""Data Docs that render offline: the pages' CDN scripts and stylesheets swapped for installed XStatic copies."""

from __future__ import annotations

import importlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

VENDOR = "static/vendor"  # under the site root, beside GX's own static/ files
STAND_IN = "socready-offline.js"
GX_IMAGES = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"


@dataclass(frozen=True)
class Vendored:
    package: str  # the XStatic package (xstatic.pkg.<package>) that ships the file
    file: str  # the file a page loads, under the package's data folder
    folders: tuple[str, ...] = ()  # what that file refers to by relative path (a stylesheet's web fonts)

    @property
    def target(self) -> str:
        return f"{VENDOR}/{self.package}/{self.file}"


# A remote asset of GX's page templates (matched by the end of its URL) -> its local copy; None drops it.
# Bootstrap 4.5 stands in for the pages' 4.3 (same major version), Font Awesome 6.2 for 6.6.
REPLACEMENTS: tuple[tuple[re.Pattern[str], Vendored | str | None], ...] = tuple(
    (re.compile(pattern), local)
    for pattern, local in (
        (r"/bootstrap/4\.[\d.]+/css/bootstrap\.min\.css$", Vendored("bootstrap", "css/bootstrap.min.css")),
        (r"/bootstrap/4\.[\d.]+/js/bootstrap\.min\.js$", Vendored("bootstrap", "js/bootstrap.bundle.min.js")),
        (r"/popper\.js/1\.[\d.]+/umd/popper\.min\.js$", None),  # part of Bootstrap's bundle above
        (r"/jquery-3\.[\d.]+\.min\.js$", Vendored("jquery", "jquery.min.js")),
        (r"/font-awesome/6\.[\d.]+/css/all\.min\.css$", Vendored("font_awesome", "css/all.min.css", ("webfonts",))),
        # No installed package ships bootstrap-table, its filter control, the datepicker those filters use,
        # the dark theme or vega: the stand-in script renders the tables plainly and says charts need the network.
        (r"/bootstrap-table@1\.[\d.]+/dist/bootstrap-table\.min\.js$", STAND_IN),
        (r"/bootstrap-table@1\.[\d.]+/dist/.*\.(css|js)$", None),
        (r"/bootstrap-datepicker/1\.[\d.]+/.*\.(css|js)$", None),
        (r"/@forevolve/bootstrap-dark@1\.[\d.]+/dist/css/bootstrap-prefers-dark\.css$", None),
        (r"/npm/(vega|vega-lite|vega-embed)@\d+$", None),
    )
)
SCRIPT = re.compile(r'<script src="(https?://[^"]+)"[^>]*>\s*</script>')
STYLESHEET = re.compile(r'<link rel="stylesheet"[^>]*? href="(https?://[^"]+)"[^>]*>')
GX_IMAGE = re.compile(rf'src="{re.escape(GX_IMAGES)}([\w.-]+)(\?[^"]*)?"')

# What the pages call on the libraries no package ships: bootstrap-table fills the index tables from JSON,
# vega-embed draws charts. Tables get plain Bootstrap rows (a row still opens its page); a chart says why not.
STAND_IN_SCRIPT = """\
// socready: stand-ins for Data Docs libraries no installed package ships (the site is built to work offline).
(function ($) {
  if ($ && !$.fn.bootstrapTable) {
    $.fn.bootstrapTable = function (options) {
      if (typeof options !== "object") return this;  // methods such as resetSearch: nothing to reset
      const columns = options.columns || [];
      const head = $("<tr>").append(columns.map((c) => $("<th>").text(c.title)));
      const rows = (options.data || []).map((row) => {
        const tr = $("<tr>").append(columns.map((c) => $("<td>").html(row[c.field] ?? "")));
        if (row._table_row_link_path) {
          tr.css("cursor", "pointer").on("click", () => { window.location = row._table_row_link_path; });
        }
        return tr;
      });
      return this.addClass("table table-hover table-sm").empty()
        .append($("<thead>").append(head), $("<tbody>").append(rows));
    };
  }
  if (!window.vegaEmbed) {
    window.vegaEmbed = function (selector) {
      document.querySelectorAll(selector).forEach((el) => {
        el.textContent = "This chart is drawn by vega-embed, which the offline Data Docs do not include.";
      });
      return Promise.resolve();
    };
  }
})(window.jQuery);
"""


def _package_dir(package: str) -> Path:
    return Path(importlib.import_module(f"xstatic.pkg.{package}").BASE_DIR)


def _copy_vendored(site: Path) -> None:
    for local in {local for _, local in REPLACEMENTS if isinstance(local, Vendored)}:
        source = _package_dir(local.package)
        target = site / VENDOR / local.package
        (target / local.file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / local.file, target / local.file)
        for folder in local.folders:
            shutil.copytree(source / folder, target / folder, dirs_exist_ok=True)
    (site / VENDOR / STAND_IN).write_text(STAND_IN_SCRIPT, encoding="utf-8")


def _replacement(tag: str, url: str, stylesheet: bool, to_root: str) -> str:
    """The tag that loads the asset's local copy; "" for a dropped one; the tag itself when no rule covers it."""
    local = next((local for pattern, local in REPLACEMENTS if pattern.search(url)), tag)
    if local is None or local == tag:
        return local or ""
    path = to_root + (local.target if isinstance(local, Vendored) else f"{VENDOR}/{local}")
    return f'<link rel="stylesheet" href="{path}">' if stylesheet else f'<script src="{path}"></script>'


def _rewrite(html: str, to_root: str) -> str:
    html = SCRIPT.sub(lambda m: _replacement(m[0], m[1], False, to_root), html)
    html = STYLESHEET.sub(lambda m: _replacement(m[0], m[1], True, to_root), html)
    return GX_IMAGE.sub(lambda m: f'src="{to_root}static/images/{m[1]}"', html)  # GX's logo is in the site too


def make_offline(site: Path) -> None:
    """Copies the vendored assets into the built site and points every page at them instead of the CDNs."""
    _copy_vendored(site)
    for page in site.rglob("*.html"):
        to_root = os.path.relpath(site, page.parent).replace(os.sep, "/") + "/"
        page.write_text(_rewrite(page.read_text(encoding="utf-8"), to_root), encoding="utf-8")
