"""Name keys for matching and forgiving search: case, punctuation and legal suffixes don't matter."""

from __future__ import annotations

import re
import unicodedata

_SUFFIXES = {
    "limited": "ltd",
    "ltd": "ltd",
    "plc": "plc",
    "llp": "llp",
    "cic": "cic",
    "cio": "cio",
    "co-operative": "cooperative",
    "co-op": "coop",
    "coop": "coop",
    "cooperative": "cooperative",
    "company": "co",
    "co": "co",
    "and": "&",
    "&": "&",
}
_DROP_WORDS = {"the", "ltd", "plc", "llp", "cic", "cio"}
_NON_WORD = re.compile(r"[^\w&]+")


def name_key(name: str) -> str:
    """`The Oxford Co-operative Limited` → `oxford cooperative`: legal-form words and articles removed."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("co-operative", "cooperative").replace("co-op", "coop")
    words = [_SUFFIXES.get(w, w) for w in _NON_WORD.sub(" ", text).split()]
    kept = [w for w in words if w not in _DROP_WORDS]
    return " ".join(kept or words)
