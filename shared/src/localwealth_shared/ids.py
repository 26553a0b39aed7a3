"""Identifiers for rows written in bulk.

Random (version 4) UUIDs as primary keys scatter inserts across the whole key index: once a table holds
millions of rows, each insert touches a page that is not cached. Version 7 UUIDs (RFC 9562) begin with the
millisecond they were made, so rows written together sit together in the index and inserts append.
"""

from __future__ import annotations

import os
import threading
import time

_COUNTER_BITS, _RANDOM_BITS = 30, 44  # of the 74 bits after the timestamp, version and variant
_lock = threading.Lock()
_last = (0, 0)  # (millisecond, next counter) of the previous call: ids keep increasing within the process


def uuid7s(n: int) -> list[str]:
    """`n` version 7 UUIDs, each greater than any made before it in this process: the millisecond, then a
    30-bit counter (RFC 9562 method 1, across rand_a and the top of rand_b), then 44 random bits."""
    global _last
    with _lock:
        millis, counter = time.time_ns() // 1_000_000, 0
        if millis <= _last[0]:  # same millisecond, or the clock stepped back: carry on from the last id
            millis, counter = _last
        if counter + n >= 1 << _COUNTER_BITS:
            millis, counter = millis + 1, 0
        _last = (millis, counter + n)
    randomness = os.urandom(8 * n)
    head = (millis & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | 0b10 << 62
    ids = []
    for i in range(n):
        count = counter + i
        tail = int.from_bytes(randomness[8 * i : 8 * i + 8]) >> (64 - _RANDOM_BITS)
        h = f"{head | (count >> 18) << 64 | (count & 0x3FFFF) << _RANDOM_BITS | tail:032x}"
        ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return ids
