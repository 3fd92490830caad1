"""Listening to users: the feedback inbox, customers and segments, and links from feedback
to the backlog and to opportunities (evidence)."""
