"""Refit the shipped parameters of the fitted models: ``best`` (src/detente/data/
choice_model.json) and ``role-weighted`` (src/detente/data/role_weighted_model.json).

Usage: .venv/bin/python scripts/fit_best_model.py [--seed 0] [--folds 10] [--check]

Reads the public DEU split from ../shared/anchors/bdm/deu3_public__blksv.tsv (equal
capability, the usable issues of ``detente backtest``), fits each model on all of it and
calibrates its 80% interval on grouped (by proposal) out-of-fold residuals (and that of each
preset forecasting from the same fit, e.g. ``best``'s ``as-coded``). Deterministic for a
seed. ``--check`` compares with the shipped files instead of writing them.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from detente.evaluation.backtest import load_dataset, usable_issues
from detente.evaluation.crossval import fit_calibrated, proposal_groups, unfitted_options
from detente.models.fitted import FITTED_MODELS, fitted_module
from detente.scenario.arrays import to_arrays
from detente.scenario.io import write_atomic

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "anchors" / "bdm" / "deu3_public__blksv.tsv"


def fitted_files(seed: int = 0, folds: int = 10) -> dict[Path, str]:
    """The text of each shipped parameter file, refitted."""
    sc, _ = load_dataset(DATA, "deu")
    arrays = to_arrays(sc, "equal")
    ids, _ = usable_issues(arrays)
    arrays = arrays.subset_issues(ids)
    groups = proposal_groups(sc, ids)
    meta = {"fitted_on": "DEU III public split (blksv deu3.csv), usable issues, equal "
                         "capability", "n_issues": len(ids), "folds": folds, "seed": seed,
            "known_actors": list(arrays.actor_ids)}
    out = {}
    for name in FITTED_MODELS:
        module = fitted_module(name)
        opts = fit_calibrated(name, arrays, groups, folds, seed)
        # a preset that chooses how to forecast from the same fit has its own 80% interval
        own = {preset: fit_calibrated(name, arrays, groups, folds, seed,
                                      base=unfitted_options(name, preset)).interval_quantile
               for preset in module.CALIBRATED_PRESETS}
        out[ROOT / "src" / "detente" / "data" / module.PARAMS_FILE] = module.options_to_json(
            opts, meta | ({"preset_interval_quantiles": own} if own else {}))
    return out


def same_numbers(a: object, b: object, rel: float = 1e-6) -> bool:
    """Equal structure and text, numbers equal to ``rel`` (an optimiser's last bits may
    differ between BLAS builds)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_numbers(a[k], b[k], rel) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_numbers(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(a, b, rel_tol=rel, abs_tol=rel)
    return a == b


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    files = fitted_files(args.seed, args.folds)
    if args.check:
        stale = [p.name for p, text in files.items()
                 if not p.exists() or not same_numbers(json.loads(p.read_text()),
                                                       json.loads(text))]
        print(f"shipped parameters differ: {', '.join(stale)}" if stale
              else "shipped parameters are up to date")
        return 1 if stale else 0
    for path, text in files.items():
        write_atomic(path, text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
