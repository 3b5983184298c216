"""Local stand-ins for the external services socready reads evidence from."""
