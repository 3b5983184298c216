"""The control catalog: controls as data, loaded and validated from YAML."""

from socready.catalog.loader import load_catalog
from socready.catalog.models import Control

__all__ = ["Control", "load_catalog"]
