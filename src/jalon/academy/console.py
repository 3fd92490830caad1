"""`jalon academy`: the Academy's commands (simulate, validate-bank, bank import and export)."""

from __future__ import annotations

import click

from jalon.academy.quiz import console as quiz_console
from jalon.academy.sim import console as sim_console


@click.group("academy")
def academy() -> None:
    """The Academy: scenario simulations and the PSPO I question bank."""


def group() -> click.Group:
    """The `academy` group with every area's commands added."""
    for command in (*sim_console.COMMANDS, *quiz_console.COMMANDS):
        academy.add_command(command)
    return academy
