"""Synthetic companies written against conventions the sandbox does not use, each with its ground truth."""
