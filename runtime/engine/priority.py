"""The decode loop's OS priority: below the server's own threads."""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)

# The decode loop, and llama.cpp's compute threads it starts (they inherit it), run at a
# lower priority than the server's own threads: acknowledging a customer's message is a
# few milliseconds of CPU that should not wait behind a decode step on a busy machine.
# An idle machine gives decoding all it had.
DECODE_NICE = 10


def yield_to_the_server() -> None:
    """Lower this thread's priority by DECODE_NICE (Linux: nice is per thread)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), DECODE_NICE)
    except (AttributeError, OSError):  # no setpriority (Windows), or not allowed
        log.debug("decoding runs at the server's own priority")
