"""The weighted median: the position of the median voter, weights capability x salience.

Source: Black (1948), "On the rationale of group decision-making", *J. Political Economy* 56:
with single-peaked preferences on one dimension the median voter's position beats every other
in pairwise majority votes. Bueno de Mesquita (1994, p. 78ff) weights votes by capability x
salience; Achen (2006, ch. 4) evaluates this "weighted median" on DEU data. Ties at exactly
half the weight take the lower position (documented in
:func:`detente.models.kernels.weights.weighted_median`).
"""

from __future__ import annotations

import numpy as np

from detente.models.base import IssueInputs, IssueOutput, ModelSpec, NoOptions, per_issue
from detente.models.kernels.weights import weighted_median


def _run_issue(inp: IssueInputs, options: NoOptions, rounds: int,
               rng: np.random.Generator) -> IssueOutput:
    forecast = weighted_median(inp.position, inp.capability * inp.salience)
    return IssueOutput(trajectory=inp.position[:, None, :], forecast=forecast)


MODEL = ModelSpec(
    name="median",
    summary="capability x salience weighted median of positions (Black 1948)",
    source="Black (1948); Bueno de Mesquita (1994) p. 78; Achen (2006) ch. 4",
    options_type=NoOptions,
    presets={"default": NoOptions()},
    run=per_issue(_run_issue),
)
