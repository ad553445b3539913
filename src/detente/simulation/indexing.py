"""Sub-blocks of the (draw, actor, ...) state arrays, laid out so that draws stay independent.

numpy sums in an order that follows memory layout. Fancy indexing such as
``x[:, members][:, :, agenda]`` returns Fortran-ordered blocks, and a batch of one draw then
collapses to a different layout from a batch of many, so sums over several axes (or over eight
or more elements) would differ in the last bit with the batch size. Taking every block in C
order keeps a draw's arithmetic the same whatever batch it runs in.
"""

from __future__ import annotations

import numpy as np


def block(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """(B, len(rows), len(cols)) C-ordered copy of ``x[:, rows][:, :, cols]``."""
    return np.ascontiguousarray(x[:, rows][:, :, cols])
