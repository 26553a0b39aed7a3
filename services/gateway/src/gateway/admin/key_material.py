"""API key format and storage form.

Keys are `lw_` + 32 random bytes (URL-safe base64). Only their SHA-256 is stored: a slow password hash
(bcrypt, argon2) exists to resist guessing low-entropy secrets, which a 256-bit random key does not need,
and a fast hash lets every request be checked with one indexed equality look-up.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "lw_"
KEY_RANDOM_BYTES = 32
DISPLAY_PREFIX_LENGTH = 10  # "lw_" + 7 characters: enough to tell keys apart, far too little to guess one


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(KEY_RANDOM_BYTES)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[:DISPLAY_PREFIX_LENGTH]


def looks_like_key(credential: str) -> bool:
    return credential.startswith(KEY_PREFIX) and len(credential) <= 200
