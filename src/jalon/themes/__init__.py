"""Themes and duplicates: feedback grouped automatically, corrected by people, and the
similar-feedback search that warns of duplicates."""
