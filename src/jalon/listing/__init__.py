"""The backlog list at scale: bulk edits of a multi-selection and saved views of filters.

Filters and search themselves are read paths of `backlog.queries` and `backlog.search`.
"""
