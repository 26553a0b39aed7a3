"""Comparable forms of an organisation name, so "The Cowley Kitchen Co-operative Limited" and
"cowley kitchen cooperative ltd" link to the same supplier."""

from __future__ import annotations

import re

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_WORDS = {
    "limited": "ltd",
    "co operative": "cooperative",
    "co op": "cooperative",
    "coop": "cooperative",
    "and": "&",
    "company": "co",
}
_DROP = ("the ",)


def name_key(name: str) -> str:
    key = " " + _NON_ALNUM.sub(" ", name.casefold().replace("&", " and ")).strip() + " "
    for long, short in _WORDS.items():
        key = key.replace(f" {long} ", f" {short} ")
    key = key.strip()
    for prefix in _DROP:
        key = key.removeprefix(prefix)
    return key


# Words that say what kind of body a name belongs to, not which one: "Acme Ltd" and "ACME LIMITED (UK)" are
# one supplier. Used to compare names, never to display them.
_LEGAL_WORDS = frozenset(
    {"ltd", "plc", "llp", "lp", "cic", "cio", "inc", "incorporated", "ips", "cooperative", "uk", "the", "co", "group"}
)


def core_name_key(name: str) -> str:
    """`name_key` without legal-form and filler words, for fuzzy comparison of supplier names."""
    words = [w for w in name_key(name).split() if w not in _LEGAL_WORDS]
    return " ".join(words) or name_key(name)
