"""A comparable form of an organisation name, so "The Cowley Kitchen Co-operative Limited" and
"cowley kitchen cooperative ltd" link to the same supplier."""

from __future__ import annotations

import re

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_WORDS = {"limited": "ltd", "co operative": "cooperative", "coop": "cooperative", "and": "&", "company": "co"}
_DROP = ("the ",)


def name_key(name: str) -> str:
    key = " " + _NON_ALNUM.sub(" ", name.casefold().replace("&", " and ")).strip() + " "
    for long, short in _WORDS.items():
        key = key.replace(f" {long} ", f" {short} ")
    key = key.strip()
    for prefix in _DROP:
        key = key.removeprefix(prefix)
    return key
