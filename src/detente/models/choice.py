"""``best``: which of a few candidate points becomes the outcome (a conditional logit).

Why. Outcomes of EU legislative bargaining are lumpy: on the public DEU split 63% of them sit
exactly at some actor's position and most of the rest at the reference point, the compromise
or a round number, while the compromise model (Achen 2006, eq. 4.1) always forecasts a mean
between positions. This model scores a small set of candidate outcomes per issue and forecasts
the median of the resulting distribution, which is what minimises absolute error.

Form. Candidates of issue i: every involved actor's position, the reference point and the
compromise c (capability x salience weighted mean), near ties merged: candidates chained by
gaps of at most ``tie_tolerance`` points (default 5 on the 0-100 scale) form one candidate,
represented by the member nearest their mean. Features that ask whether something is "at" x
give 1 at distance 0, falling linearly to 0 at half the tolerance. Each candidate x gets
18 features (:data:`FEATURES`: its distance to c, the weighted mean distance of all actors
and of the other (Council) actors, the weighted and plain share of actors at x, whether x is the
reference point, the agenda setter's or parliament's position, c, the weighted median, an end
or the middle of the scale, the share of Council actors at least as close to x as to the
reference point, on which side of c it lies relative to the reference point and the two
roles). The probability of candidate k is a conditional logit (McFadden 1974, eq. 5):

    P(k) = exp(z_k . b) / sum_j exp(z_j . b),   z = standardised features,

fitted by minimising the cross-entropy to a soft target q_k ~ exp(-|x_k - y| / tau) around
the observed outcome y, plus lam |b|^2 (L-BFGS-B). One fit per (lam, tau) in a fixed grid
(lam in 0.3, 1, 3, 10; tau in 5, 20, 50 points). The distribution of an issue is the average
of the 12 fitted ones. The forecast (option ``orientation``, default ``both``) pools the
distribution of the issue as coded and that of its mirror (every scale reversed, x -> 100 - x,
its candidates mapped back), one half each, and takes the midpoint of the pool's lower and
upper weighted medians; ``as-coded`` (a preset) takes the lower weighted median of the coded
distribution alone. No hyper-parameter is chosen on the data, so cross-validation needs no
inner loop for the point forecast.

Intervals: split-conformal as for the role-weighted model (:mod:`detente.models.ensemble`):
x* +- q (d + floor), d the weighted standard deviation of positions, q calibrated on
out-of-fold residuals (:func:`detente.evaluation.crossval.fit_calibrated`).

Fitted on the public DEU split (equal capability, salience / 100) and shipped in
``detente/data/choice_model.json`` (refit with ``scripts/fit_best_model.py``); never fitted at
run time. Grouped 10-fold cross-validation by proposal (README): MAE 22.28 / 22.57 / 22.08
(seeds 0/1/2; mean 22.41, range 22.08-22.67 over seeds 0-9; ``as-coded`` 22.09 / 22.40 / 22.07,
mean 22.30) against the compromise model's 23.69, 80% intervals covering 79-81%; short of the
21.5 target of issue 7.

Why the tolerance (a named option; 0 gives exact ties). With exact ties only, the model did
better on the coded data (seeds 0-9: mean 22.08, 21.79-22.47) but leaned on ties that any
noise breaks: in a Monte Carlo on inputs, positions moved by at most 2 points split tied
actors into separate candidates, each taking its own share of probability (the logit's
independence of irrelevant alternatives), and its forecast (median of 100 draws, fitted on
all 237 issues) moved by 12.0 points on average, with error 24.97 (coded 21.56): worse than
the compromise model. With the 5-point tolerance: moves of 0.72 / 2.61 / 4.98 points and
errors 21.85 / 22.33 / 22.51 for moves of at most 2 / 5 / 10 points (coded 21.61). A
tolerance of 4 or 7.5 gave 22.49 or 23.4 (CV), a box or trapezoid "at" 22.35 / 22.38, groups
limited to a span of 5 (not chained) 22.34 and the group mean as representative 22.39.
Caveats: the temperature grid and the candidate set were chosen (with exact ties) among a few
variants on the same folds (0, 50, 100 and the setter-parliament midpoint as extra candidates
gave 22.73; 50 alone cost 0.1), so the gain may be slightly optimistic. With lam and tau chosen
per fold by an inner grouped CV (no grid average) the figure is 22.40 / 22.43 / 22.01; other
grids (tau 5-50, lam 0.3-30) give 21.9-22.4.

Variants that did not do better out of sample (research notes from the exact-tie model, same
folds, to be compared with its 22.08; the first figures are from the earlier candidate set with
0, 50, 100 and the setter-parliament midpoint):
per-actor support features (22.96 nested), candidate grids every 5 or 10 points (23.2-24.6),
an expected absolute loss instead of cross-entropy (23.7-24.5), the probability-weighted mean
instead of the median (23.5), gradient-boosted trees and random forests on issue features
(23.4-24.7), L1 regression on model forecasts (23.1-24.1). With the present candidates:
procedure and voting-rule interactions (reference point x unanimity, Commission x
consultation, Parliament x co-decision) and Council vote-weight features (Nice-treaty votes at
the candidate, votes preferring it to the reference point, a qualified-majority indicator)
gave 22.01-22.13 (no better), and the range midpoint as a candidate 22.56; these would also
need metadata the scenario format does not carry. Later, on seeds 0-9 (present model 22.08):
the distance of a candidate to other models' forecasts (smp, challenge, procedural, nash;
21.95-22.36 on seeds 0-2), a candidate being the lowest or highest position or the setter's
and parliament's common one (22.03-22.06), the most salient actor's position, two or more
actors at it, majority indicators (21.94-22.14 on seeds 0-2), bagging over bootstrapped
proposals (21.99-22.05), shrinking towards the compromise (22.10-22.26), a Gaussian or
exact-match soft target (22.15-22.27) and down-weighting proposals with many issues
(22.57-22.86): all within the spread between seeds, or worse. Later still (seeds 0-9):
sharpening or flattening the distribution before the median (p^a, a 0.5-2: 22.28-22.85),
features interacted with the spread of positions, the number of actors or a reference point at
an end of the scale (22.21-22.53), pairwise products of seven main features (22.60),
gradient-boosted trees on the candidates' features on top of the logit (a Newton step per
tree, depth 1-3: 22.08-22.91; from scratch 23.01), and GDP or Council-vote capability in place
of equal capability (22.72, 22.59; population 23.58); indicators of the candidate with the
most (weighted) support, the most Council support or the least weighted loss in its issue
(22.17-22.30). A latent-class logit (two or three coefficient vectors mixed by a logistic gate
on the spread of positions, the number of actors and a reference point at an end of the scale;
Greene and Hensher 2003) barely fits better in sample (21.35 and 21.12 against 21.56) and is
worse out of sample (two classes, seeds 0-2: 22.52 / 22.45 / 22.88). At stop 16, the midpoint
of the two positions as an extra candidate on issues with exactly two (the outcome lies between
them on 29 of 66 such issues): 22.33 / 22.75 / 22.37 on seeds 0-2, against 22.09 / 22.40 /
22.07 without it. At stop 21 (the present model, same folds; a parameter of a second stage
fitted on inner grouped out-of-fold forecasts of the training folds only): a confidence gate
mixing the distribution with a point mass at the compromise, the weighted median or the
reference point by a logistic function of its entropy, top probability or the distance from
the compromise (9 versions, seeds 0-2: 22.31-22.78 against 22.19); stacking the choice
median, compromise, weighted median, reference point and modal candidate with a multinomial
logit on issue features (23.06-25.30); a Laplace-smoothed median (22.33 mean of seeds 0-2) or
a quantile counted from the reference point's side (22.50); features saying whether a
candidate lies between the reference point, setter or parliament and the compromise (seeds
0-9: 22.74-22.79 against 22.30), its distance to the reference point (22.43); pooling models
fitted with tolerances 4/5/6 or 2.5/5/7.5 (22.31, 22.45). Only the candidate's rank among the
candidates (0-1 from the low end of the scale) did better: 22.02 (with its rank from the
reference point's side, 21.99), but a bootstrap over proposals of the paired difference gives
-0.86..+0.26, and with half the proposals mirrored (below) it is worse than the present model
(22.68 and 23.14 against 22.64 and 22.59): it learns DEU's coding direction, not bargaining.

Scale direction (why ``orientation`` is ``both``). Which end of a scale is coded 0 is a
convention, not information, but the distribution is not equivariant under mirroring a scale
(x -> 100 - x for positions, status quo, reference point and outcome): tie groups of two
members equally near their mean keep the lower one, ``council_prefers`` measures against 0
when neither reference point nor status quo is known (58 DEU issues), and medians are lower
medians. With ``as-coded`` the cross-validated MAE (seeds 0-9) is 22.30 on the data as coded,
22.46 with every issue mirrored and 22.59 / 22.64 with half the proposals mirrored (two random
halves, the model refitted on the mixed data); with the shipped coefficients, mirrored test
issues give 22.54. Pooling both orientations makes the forecast of a mirrored scenario exactly
100 minus the coded one (to 1e-14; a property test) at a cost of 0.11 on DEU as coded (22.41;
better than ``as-coded`` on 1 seed of 10) and a gain of 0.13 on the half-mirrored data (22.49,
bootstrap over proposals of the paired difference -0.41..+0.11): over a random orientation the
expected error is the same (22.41 against 22.42), so the default gives up DEU's coding
convention (the reference point is at 0 on 77 % of the issues where it is known), not
accuracy. Averaging the two point forecasts instead of the distributions gives 22.42 as coded;
fitting on mirrored copies too 22.59; rewriting the features to be symmetric (tie kept nearest
the compromise, ``council_prefers`` 0.5 without a reference, midpoint medians) 22.82.

Also tried at stop 22 (seeds 0-9, against 22.30 as coded): features of the candidate's
proposal (the inputs of its sibling issues, never their outcomes) crossed with the role
indicators: the Commission's or Parliament's mean distance from the compromise, the share of
reference points known or at an end, the spread of positions (22.48-22.90); the log of the
number of issues in the proposal (22.07, better on 8 of 10 seeds, but the bootstrap interval
of the paired difference is -0.67..+0.19, the gain comes from the 26 one-issue proposals, the
plain count gives 22.20, and the scenario format has no proposals): not kept.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from scipy.optimize import minimize

from detente.errors import OptionError
from detente.models import ensemble
from detente.models.base import ModelOutput, ModelSpec
from detente.models.fitted import interval_extras, read_shipped
from detente.scenario.arrays import ScenarioArrays

PARAMS_FILE = "choice_model.json"
ORIENTATIONS = ("both", "as-coded")
# what a fit sets; the other options are chosen (presets), kept when refitting
FITTED_FIELDS = ("coefficients", "feature_mean", "feature_scale", "interval_quantile")
# presets that share the default's coefficients but get their own interval quantile (the
# shipped file's "preset_interval_quantiles", written by scripts/fit_best_model.py)
CALIBRATED_PRESETS = ("as-coded",)
FEATURES = ("dist_compromise", "dist_compromise_sq", "weighted_loss", "weighted_share_at",
            "share_at", "is_reference", "is_setter", "is_parliament", "is_end", "is_middle",
            "council_prefers", "council_loss", "is_compromise", "reference_side",
            "setter_side", "parliament_side", "is_weighted_median", "dist_if_no_reference")


@dataclass(frozen=True)
class ChoiceOptions:
    """The fitted model: roles, grid, standardisation and one coefficient row per grid point."""

    agenda_setter: str = "com"
    parliament: str = "ep"
    penalties: tuple[float, ...] = (0.3, 1.0, 3.0, 10.0)
    temperatures: tuple[float, ...] = (5.0, 20.0, 50.0)
    coefficients: tuple[tuple[float, ...], ...] = ()  # (lam, tau) in grid order x FEATURES
    feature_mean: tuple[float, ...] = ()
    feature_scale: tuple[float, ...] = ()
    interval_quantile: float = float("inf")
    interval_floor: float = 10.0
    coverage: float = ensemble.COVERAGE
    tie_tolerance: float = 5.0  # points on 0-100; 0: only exactly equal positions are ties
    # "both": pool the distributions of the scale as coded and mirrored (x -> 100 - x), so the
    # forecast does not depend on which end of a scale is 0; "as-coded": the scale as given
    orientation: str = "both"

    def __post_init__(self) -> None:
        if self.coefficients and any(len(c) != len(FEATURES) for c in self.coefficients):
            raise OptionError(f"coefficients need {len(FEATURES)} values per grid point")
        if not self.tie_tolerance >= 0:
            raise OptionError(f"tie_tolerance must be 0 or more points, not {self.tie_tolerance}")
        if self.orientation not in ORIENTATIONS:
            raise OptionError(f"orientation must be one of {', '.join(ORIENTATIONS)}, not "
                              f"{self.orientation!r}")


def _roles(arrays: ScenarioArrays, opts: ChoiceOptions) -> tuple[np.ndarray, np.ndarray]:
    ids = np.array(arrays.actor_ids)
    return ids == opts.agenda_setter, ids == opts.parliament


def _role_position(arrays: ScenarioArrays, is_role: np.ndarray) -> np.ndarray:
    """(B, I) position of the role's actor, NaN where absent or not involved."""
    if not is_role.any():
        return np.full(arrays.position[:, 0].shape, np.nan)
    k = int(np.argmax(is_role))
    return np.where(arrays.involved[k][None], arrays.position[:, k], np.nan)


def _weights(arrays: ScenarioArrays) -> np.ndarray:
    """(B, A, I) capability x salience, equal weights on an issue where all are 0."""
    w = np.where(arrays.involved[None], arrays.capability * arrays.salience, 0.0)
    return np.where(w.sum(axis=1, keepdims=True) > 0, w, arrays.involved[None] * 1.0)


def _lower_weighted_median(x: np.ndarray, w: np.ndarray, axis: int) -> np.ndarray:
    """The smallest x whose cumulative weight share reaches one half (x sorted along axis);
    entries with weight 0 never count. ``x`` may hold +inf where there is nothing."""
    order = np.argsort(x, axis=axis, kind="stable")
    xs = np.take_along_axis(x, order, axis)
    cw = np.cumsum(np.take_along_axis(w, order, axis), axis=axis)
    share = cw / np.maximum(np.take(cw, [-1], axis=axis), 1e-300)
    first = np.argmax(share >= 0.5 - 1e-12, axis=axis)
    return np.take_along_axis(xs, np.expand_dims(first, axis), axis).squeeze(axis)


def candidates(arrays: ScenarioArrays, opts: ChoiceOptions) -> tuple[np.ndarray, np.ndarray]:
    """Candidate points (B, K, I) on 0-100 and which are valid (defined, not a duplicate; with
    a tie tolerance, one per group of near ties)."""
    w = _weights(arrays)
    pos = np.where(arrays.involved[None], arrays.position, 0.0)
    comp = (w * pos).sum(1) / np.maximum(w.sum(1), 1e-300)
    rp = np.broadcast_to(arrays.reference_point[None], comp.shape)
    extra = np.stack([rp, comp], axis=1)
    x = np.concatenate([np.where(arrays.involved[None], arrays.position, np.nan), extra], 1)
    valid = ~np.isnan(x)
    same = (x[:, :, None] == x[:, None, :]) & valid[:, :, None] & valid[:, None, :]
    earlier = np.tril(np.ones((x.shape[1], x.shape[1]), dtype=bool), -1)[None, :, :, None]
    valid &= ~(same & earlier).any(axis=2)
    if opts.tie_tolerance > 0:
        return _merge_near(np.where(valid, x, np.inf), opts.tie_tolerance)
    return np.where(valid, x, 0.0), valid


def _merge_near(x: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidates (B, K, I; +inf where none) chained into groups whose neighbours lie within
    ``tolerance`` of each other (single linkage); each group is represented by its member
    nearest the group's mean (the lower one on a tie), so a representative is always an
    actual position or landmark. Returns the representatives, one slot per group, and which
    slots are used."""
    xs = np.sort(x, axis=1)
    present = np.isfinite(xs)
    gap = np.diff(np.where(present, xs, 1e300), axis=1) > tolerance
    group = np.concatenate([np.zeros_like(gap[:, :1], dtype=int), np.cumsum(gap, axis=1)], 1)
    slots = np.arange(x.shape[1])[None, None, :, None]
    member = (group[:, :, None] == slots) & present[:, :, None]  # (B, K, G, I)
    values = np.where(present, xs, 0.0)[:, :, None]
    count = member.sum(axis=1)
    mean = np.where(member, values, 0.0).sum(axis=1) / np.maximum(count, 1)
    dist = np.where(member, np.abs(values - mean[:, None]), np.inf)
    # the first (lowest) member within float noise of the nearest: a tie is not decided by
    # rounding (members are sorted)
    pick = np.argmax(dist <= dist.min(axis=1, keepdims=True) + 1e-9, axis=1)
    rep = np.take_along_axis(values[:, :, 0], pick, axis=1)
    used = count > 0
    return np.where(used, rep, 0.0), used


def _near(d: np.ndarray, tolerance: float) -> np.ndarray:
    """How much a distance ``d`` counts as "at": 1 at 0, falling linearly to 0 at half the
    tie tolerance (exact equality when the tolerance is 0); NaN distances count 0."""
    d = np.nan_to_num(np.abs(d), nan=np.inf)
    if tolerance <= 0:
        return (d == 0).astype(float)
    return np.clip(1.0 - d / (tolerance / 2), 0.0, None)


def features(arrays: ScenarioArrays, x: np.ndarray, opts: ChoiceOptions) -> np.ndarray:
    """(B, K, I, F) features of each candidate (see the module docstring and FEATURES)."""
    inv = arrays.involved[None, None]  # (1, 1, A, I)
    w = _weights(arrays)[:, None]  # (B, 1, A, I), also the weighted median's weights
    p = np.where(inv, arrays.position[:, None], 0.0)
    xk = x[:, :, None]  # (B, K, 1, I)
    d = np.abs(p - xk)
    total = w.sum(2)
    comp = (w * p).sum(2) / np.maximum(total, 1e-300)  # (B, 1, I)
    is_setter, is_parl = _roles(arrays, opts)
    council = inv & ~(is_setter | is_parl)[None, None, :, None]
    wc = np.where(council, w, 0.0)
    rp = arrays.reference_point[None, None]
    rp_known = ~np.isnan(rp)
    sq = arrays.status_quo[:, None]
    anchor = np.where(rp_known, rp, np.where(np.isnan(sq), 0.0, sq))[:, :, None]
    closer = np.where(council, d <= np.abs(p - anchor), False).sum(2)
    n_council = council.sum(2)
    setter, parl = (_role_position(arrays, r)[:, None] for r in (is_setter, is_parl))
    wl = (w * d).sum(2) / np.maximum(total, 1e-300) / 100
    tol = opts.tie_tolerance
    at = np.where(inv, _near(d, tol), 0.0)
    wmed = _lower_weighted_median(np.where(inv, arrays.position[:, None], np.inf), w, axis=2)
    dc = (x - comp) / 100
    f = [np.abs(dc), dc ** 2, wl,
         (w * at).sum(2) / np.maximum(total, 1e-300), at.sum(2) / np.maximum(inv.sum(2), 1),
         _near(x - rp, tol), _near(x - setter, tol), _near(x - parl, tol),
         np.maximum(_near(x, tol), _near(100 - x, tol)), _near(x - 50, tol),
         np.where(n_council > 0, closer / np.maximum(n_council, 1), 0.5),
         np.where(wc.sum(2) > 0, (wc * d).sum(2) / np.maximum(wc.sum(2), 1e-300) / 100, wl),
         _near(x - comp, tol), rp_known & ((x - comp) * (rp - comp) > 0),
         (x - comp) * (setter - comp) > 0, (x - comp) * (parl - comp) > 0, _near(x - wmed, tol),
         ~rp_known * np.abs(dc)]
    return np.stack([np.broadcast_to(v, x.shape).astype(float) for v in f], axis=-1)


def _standardise(z: np.ndarray, opts: ChoiceOptions) -> np.ndarray:
    return (z - np.asarray(opts.feature_mean)) / np.asarray(opts.feature_scale)


def distribution(arrays: ScenarioArrays,
                 opts: ChoiceOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidates (B, K, I), validity and probabilities averaged over the fitted grid."""
    if not opts.coefficients:
        raise OptionError("the choice model has no fitted coefficients (the shipped file "
                          f"{PARAMS_FILE} is missing); refit with scripts/fit_best_model.py")
    x, valid = candidates(arrays, opts)
    z = _standardise(features(arrays, x, opts), opts)
    u = np.einsum("bkif,gf->gbki", z, np.asarray(opts.coefficients))
    u = np.where(valid[None], u, -np.inf)
    e = np.exp(u - u.max(axis=2, keepdims=True))
    prob = (e / e.sum(axis=2, keepdims=True)).mean(axis=0)
    return x, valid, prob


def mirrored(arrays: ScenarioArrays) -> ScenarioArrays:
    """The same issues with every scale reversed (x -> 100 - x on the 0-100 scale)."""
    return replace(arrays, position=100 - arrays.position, status_quo=100 - arrays.status_quo,
                   reference_point=100 - arrays.reference_point, outcome=100 - arrays.outcome)


def point_forecast(arrays: ScenarioArrays, opts: ChoiceOptions) -> np.ndarray:
    """The forecast (B, I) on 0-100.

    ``as-coded``: the lower weighted median of the candidate distribution. ``both``: the
    candidates of the issue as coded and of its mirror (mapped back), each distribution
    weighted one half, and the midpoint of the pool's lower and upper weighted medians, so
    that mirroring the input mirrors the forecast exactly."""
    x, valid, prob = distribution(arrays, opts)
    if opts.orientation == "as-coded":
        return _lower_weighted_median(np.where(valid, x, np.inf), np.where(valid, prob, 0.0), 1)
    xm, valid_m, prob_m = distribution(mirrored(arrays), opts)
    pool = np.concatenate([np.where(valid, x, np.inf), np.where(valid_m, 100 - xm, np.inf)], 1)
    weight = np.concatenate([np.where(valid, prob, 0.0), np.where(valid_m, prob_m, 0.0)], 1)
    lower = _lower_weighted_median(pool, weight, 1)
    upper = 100 - _lower_weighted_median(np.where(np.isinf(pool), pool, 100 - pool), weight, 1)
    return (lower + upper) / 2


def forecast_and_dispersion(arrays: ScenarioArrays,
                            opts: ChoiceOptions) -> tuple[np.ndarray, np.ndarray]:
    """The forecast (B, I) (:func:`point_forecast`) and the dispersion of positions used by
    the interval (as in the role-weighted model)."""
    return (point_forecast(arrays, opts),
            ensemble.forecast_and_dispersion(arrays, ensemble.BestOptions())[1])


def fit_parameters(arrays: ScenarioArrays, grid: Any = None,
                   base: ChoiceOptions | None = None) -> ChoiceOptions:
    """Fit one coefficient row per (lam, tau) of ``base``'s grid on ``arrays`` (batch of one,
    an outcome on every issue). Deterministic: L-BFGS-B from zero. ``grid`` is unused (the
    interface of :func:`detente.models.ensemble.fit_parameters`)."""
    base = base or ChoiceOptions()
    y = arrays.outcome
    if np.isnan(y).any():
        raise ValueError("fit_parameters needs an outcome on every issue")
    x, valid = candidates(arrays, base)
    z = features(arrays, x, base)[0]  # (K, I, F)
    keep = valid[0].T  # (I, K): issue-major, so each issue's candidates are contiguous
    zc = z.transpose(1, 0, 2)[keep]
    xc = x[0].T[keep]
    seg = np.nonzero(keep)[0]
    mean, scale = zc.mean(0), zc.std(0) + 1e-9
    za = (zc - mean) / scale
    n = len(y)
    rows = []
    for lam in base.penalties:
        for tau in base.temperatures:
            q = np.exp(-np.abs(xc - y[seg]) / tau)
            q /= np.bincount(seg, q, n)[seg]

            def objective(b: np.ndarray, q: np.ndarray = q,
                          lam: float = lam) -> tuple[float, np.ndarray]:
                u = za @ b
                top = np.full(n, -np.inf)
                np.maximum.at(top, seg, u)
                e = np.exp(u - top[seg])
                prob = e / np.bincount(seg, e, n)[seg]
                loss = -(q * np.log(prob + 1e-300)).sum() + lam * b @ b
                return loss, za.T @ (prob - q) + 2 * lam * b

            res = minimize(objective, np.zeros(za.shape[1]), jac=True, method="L-BFGS-B")
            rows.append(tuple(float(v) for v in res.x))
    return replace(base, coefficients=tuple(rows), feature_mean=tuple(map(float, mean)),
                   feature_scale=tuple(map(float, scale)))


def _run(arrays: ScenarioArrays, opts: ChoiceOptions, rounds: int,
         rng: np.random.Generator) -> ModelOutput:
    fc, sd = forecast_and_dispersion(arrays, opts)
    return ModelOutput(trajectory=arrays.position[:, None], forecast=fc,
                       extras=interval_extras(arrays, fc, sd, opts))


def options_to_json(opts: ChoiceOptions, meta: dict[str, Any]) -> str:
    """The shipped parameter file: the options and how they were obtained."""
    return json.dumps({"parameters": asdict(opts), "features": list(FEATURES), **meta},
                      indent=1, sort_keys=True) + "\n"


def load_shipped() -> tuple[ChoiceOptions, dict[str, Any]]:
    """The shipped fit and its metadata (unfitted options if the file is absent)."""
    shipped = read_shipped(PARAMS_FILE, ChoiceOptions)
    if shipped is None:
        return ChoiceOptions(), {"fitted": False}
    params, meta = shipped
    for key in ("penalties", "temperatures", "feature_mean", "feature_scale"):
        params[key] = tuple(params.get(key, ()))
    params["coefficients"] = tuple(tuple(r) for r in params.get("coefficients", ()))
    return ChoiceOptions(**params), meta


SHIPPED, SHIPPED_META = load_shipped()

MODELS = [
    ModelSpec(
        name="best",
        summary="recommended: which candidate point (a position, the reference point, the "
                "compromise ...) becomes the outcome, a conditional logit fitted on DEU, with "
                "calibrated 80% intervals",
        source="conditional logit (McFadden 1974, eq. 5) over candidate outcomes, fitted on "
               "the DEU III public split; split-conformal intervals (Lei et al. 2018)",
        options_type=ChoiceOptions,
        presets={"default": SHIPPED, "as-coded": replace(
            SHIPPED, orientation="as-coded",
            interval_quantile=SHIPPED_META.get("preset_interval_quantiles", {}).get(
                "as-coded", SHIPPED.interval_quantile))},
        run=_run,
    ),
]
