"""Thin Prefect flows and tasks wiring socready's stages; no business logic lives here."""
