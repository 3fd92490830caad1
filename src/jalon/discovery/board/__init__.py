"""The product vision board and personas (part of discovery)."""
