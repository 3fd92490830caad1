"""`jalon academy ...` commands of this area; `academy/console.py` registers COMMANDS."""

from __future__ import annotations

import click

COMMANDS: tuple[click.Command, ...] = ()
