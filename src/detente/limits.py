"""How much one run may hold at once, checked before it starts.

Why. A typo such as ``--draws 100000000`` or ``--rounds 100000000`` used to run until the
machine ran out of memory (killed by the kernel after a minute at 24 GB, no message). Every
array a run keeps grows with draws x rounds (or dated steps) x actors x issues; a run whose
largest array would exceed :data:`MAX_CELLS` numbers (3.7 GiB of float64) is refused at once,
saying how big it would be and what to change. A Monte Carlo run that keeps draw 0's
trajectory only, of a model that runs one issue or separate case at a time, is sized by one
issue (:func:`detente.uncertainty.montecarlo.check_size`): smp's 500 report draws on the 248
DEU cases, 101 rounds x 30 actors, would hold 375 million numbers with every draw's
trajectory, and hold the drawn inputs (4 million) and one case's rounds instead. The
sensitivity analysis has its own, smaller limit on its input arrays
(:mod:`detente.uncertainty.sensitivity`).
"""

from __future__ import annotations

from detente.errors import OptionError

MAX_CELLS = 500_000_000
# the run store keeps every draw's trajectory up to this many rows, else draw 0's; a Monte
# Carlo run keeps in memory what the store could record (detente.uncertainty.montecarlo)
RECORDED_ROWS = 2_000_000


def check_cells(what: str, cells: int, fix: str) -> None:
    """Refuse a run whose largest array would hold ``cells`` numbers (see module doc)."""
    if cells > MAX_CELLS:
        raise OptionError(f"{what} would hold {cells:,} numbers at once ({cells * 8 / 2**30:.1f} "
                          f"GiB), more than detente allows ({MAX_CELLS:,}); {fix}")
