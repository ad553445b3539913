"""Claim 5, leaders learn tactics from each other, towards the tactics that worked.

Sources: R. Axelrod (1984), *The Evolution of Cooperation*, ch. 8 (imitation of successful
strategies); K. H. Schlag (1998), "Why imitate, and if so, how?", J. Econ. Theory 78
(proportional imitation rule); J. S. Levy (1994) on learning in foreign policy.
When actors talk (a summit, a consultation, a coordination meeting), each adopts the tactic of
the most successful partner using a different tactic with probability
``rate x trust x (success_partner - success_own)`` (clipped to 0-1). Random choice: one
uniform draw per (draw, actor) from the run's Generator at each such event.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.simulation.indexing import block
from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    rate: float = 8.0  # adoption probability per unit of success difference (x trust)


MECHANISM = Mechanism("learning", 5, "tactics spread between actors who talk, towards those "
                      "that worked", "Axelrod (1984) ch. 8; Schlag (1998)", Params)


def learn(tactic: np.ndarray, success: np.ndarray, trust: np.ndarray, talkers: np.ndarray,
          rng: np.random.Generator, p: Params) -> np.ndarray:
    """New (B, A) tactics after the actors ``talkers`` (indices) talk to each other."""
    t = tactic[:, talkers]
    s = success[:, talkers]
    tr = block(trust, talkers, talkers)
    diff = s[:, None, :] - s[:, :, None]  # (B, me, peer)
    eligible = (t[:, None, :] != t[:, :, None]) & (diff > 0)
    score = np.where(eligible, diff, -np.inf)
    best = np.argmax(score, axis=2)  # (B, me)
    gain = np.take_along_axis(np.where(eligible, diff, 0.0), best[..., None], 2)[..., 0]
    trust_best = np.take_along_axis(tr, best[..., None], 2)[..., 0]
    prob = np.clip(p.rate * trust_best * gain, 0.0, 1.0)
    adopt = rng.random(prob.shape) < prob
    new = tactic.copy()
    new[:, talkers] = np.where(adopt, np.take_along_axis(t, best, 1), t)
    return new
