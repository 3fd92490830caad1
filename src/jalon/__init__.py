"""Jalon: self-hosted product management, from idea to retirement."""

__version__ = "0.1.0"
