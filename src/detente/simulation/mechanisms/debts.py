"""Claim 14, debts and favours: a concession creates an obligation that is called in later.

Sources: P. M. Blau (1964), *Exchange and Power in Social Life*, ch. 4 (unreciprocated
favours create obligations); Homans (1958). A concession of value ``v`` from a giver puts the
receiver ``v x weight`` in the giver's debt (the giver's belief, as in the essay). At each
later meeting where both sit, the giver calls in ``call_rate`` of the debt: the debtor's
aspiration falls by that much for good, and the debt shrinks by it.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    weight: float = 1.0
    call_rate: float = 0.5


MECHANISM = Mechanism("debts", 14, "favours create debts that are called in at later "
                      "meetings", "Blau (1964) ch. 4; Homans (1958)", Params)
