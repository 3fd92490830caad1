"""History: immutable daily snapshots of every item's state, and the charts read from them."""
