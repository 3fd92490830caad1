"""Production password hashing: argon2id at the RFC 9106 low-memory cost.

The rest of the suite swaps in a cheap argon2id (tests/conftest.py); these tests keep the real
hasher and check what production stores.
"""

from __future__ import annotations

import pytest
from argon2 import Type
from argon2.low_level import Type as LowType

from jalon.accounts import services

pytestmark = pytest.mark.real_hashing


def test_production_hashing_is_argon2id_at_the_rfc_9106_low_memory_cost() -> None:
    hasher = services._hasher()
    assert hasher.type is Type.ID is LowType.ID
    assert hasher.memory_cost >= 64 * 1024  # KiB
    assert hasher.time_cost >= 3
    stored = services.hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,")


def test_production_hashes_verify_and_refuse_a_wrong_password() -> None:
    stored = services.hash_password("correct horse battery staple")
    assert services._verify(stored, "correct horse battery staple")
    assert not services._verify(stored, "correct horse battery stapler")
    assert not services._verify(None, "anything")


def test_the_cheap_test_hasher_is_not_what_production_uses(
    request: pytest.FixtureRequest,
) -> None:
    from tests.conftest import CHEAP_HASHER

    assert services._hasher() is not CHEAP_HASHER
    assert request.node.get_closest_marker("real_hashing") is not None
