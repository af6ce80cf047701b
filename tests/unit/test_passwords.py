"""Passwords are Argon2id hashes; a failed sign-in costs the same whoever it names."""

from __future__ import annotations

from server.auth.passwords import DUMMY_HASH, hash_password, verify_password


def test_an_unknown_username_costs_the_same_argon2_work_as_a_real_account() -> None:
    """No username leaks by timing: the dummy hash has the real accounts' parameters."""

    def parameters(encoded: str) -> str:
        return encoded.split("$")[3]

    assert parameters(DUMMY_HASH) == parameters(hash_password("a real password"))
    assert not verify_password(DUMMY_HASH, "a real password")
