"""Refit the parameters of the ``best`` model shipped in src/detente/data/best_model.json.

Usage: .venv/bin/python scripts/fit_best_model.py [--seed 0] [--folds 10] [--check]

Reads the public DEU split from ../shared/anchors/bdm/deu3_public__blksv.tsv (equal
capability, the usable issues of ``detente backtest``), fits the weights on all of it and
calibrates the 80% interval on grouped (by proposal) out-of-fold residuals. Deterministic for a
seed. ``--check`` compares with the shipped file instead of writing it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from detente.evaluation.backtest import load_dataset, usable_issues
from detente.evaluation.crossval import fit_best_model, proposal_groups
from detente.models.ensemble import PARAMS_FILE, options_to_json
from detente.scenario.arrays import to_arrays
from detente.scenario.io import write_atomic

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "anchors" / "bdm" / "deu3_public__blksv.tsv"
TARGET = ROOT / "src" / "detente" / "data" / PARAMS_FILE


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    sc, _ = load_dataset(DATA, "deu")
    arrays = to_arrays(sc, "equal")
    ids, _ = usable_issues(arrays)
    arrays = arrays.subset_issues(ids)
    opts = fit_best_model(arrays, proposal_groups(sc, ids), args.folds, args.seed)
    text = options_to_json(opts, {
        "fitted_on": "DEU III public split (blksv deu3.csv), usable issues, equal capability",
        "n_issues": len(ids), "folds": args.folds, "seed": args.seed,
        "known_actors": list(arrays.actor_ids)})
    if args.check:
        same = TARGET.exists() and TARGET.read_text() == text
        print("shipped parameters are up to date" if same else "shipped parameters differ")
        return 0 if same else 1
    write_atomic(TARGET, text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
