"""Experiments and the A/B calculator pages (part of discovery)."""
