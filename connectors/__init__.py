"""Connectors collect raw evidence into the evidence store; they never decide pass or fail."""
