"""The optional text model loads and embeds with no network: in a fresh process where
opening any socket raises, French and English sentences meaning the same are close."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from jalon.themes import engine

SCRIPT = """
import socket

def refuse(*args, **kwargs):
    raise AssertionError("a socket was opened")

socket.socket = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from jalon.themes import engine

assert engine.neural_available()
a, b, c = engine.embed_neural([
    "Ma carte n'est toujours pas arrivée",
    "My card has still not arrived",
    "How do I change my PIN code?",
])
print(round(float(a @ b), 3), round(float(a @ c), 3))
"""


@pytest.mark.skipif(not engine.neural_available(), reason="the optional model is not installed")
def test_the_model_needs_no_network() -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("HTTPS_PROXY", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    same, other = (float(x) for x in done.stdout.split())
    assert same > 0.75 and same > other + 0.4
