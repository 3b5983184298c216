"""socready: proves SOC 2 controls operated over the whole observation window."""

__version__ = "0.1.0"
