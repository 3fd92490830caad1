"""Prioritisation: built-in scoring models, custom formulas, comparison. Rules are pure."""
