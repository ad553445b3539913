"""The compromise model: the capability x salience weighted mean of positions.

Source: Achen, C. H. (2006), "Evaluating political decision-making models", in Thomson et al.
(eds.), *The European Union Decides*, Cambridge UP, ch. 4, eq. (4.1) ("compromise model"):
x* = sum_i c_i s_i x_i / sum_i c_i s_i. Van den Bos (1991) and Bueno de Mesquita use the same
weighted mean as a baseline. It is a one-shot forecast: the trajectory has round 0 only.
"""

from __future__ import annotations

import numpy as np

from detente.models.base import IssueInputs, IssueOutput, ModelSpec, NoOptions, per_issue
from detente.models.kernels.weights import weighted_mean


def _run_issue(inp: IssueInputs, options: NoOptions, rounds: int,
               rng: np.random.Generator) -> IssueOutput:
    forecast = weighted_mean(inp.position, inp.capability * inp.salience)
    return IssueOutput(trajectory=inp.position[:, None, :], forecast=forecast)


MODEL = ModelSpec(
    name="compromise",
    summary="capability x salience weighted mean of positions (Achen 2006)",
    source="Achen (2006), The European Union Decides, ch. 4, eq. 4.1",
    options_type=NoOptions,
    presets={"default": NoOptions()},
    run=per_issue(_run_issue),
)
