"""Bueno de Mesquita's expected-utility ("challenge") model, as replicated by Scholz et al.

Sources:

* Bueno de Mesquita, B. (1994). "Political forecasting: an expected utility method". In
  Bueno de Mesquita & Stokman (eds.), *European Community Decision Making*, Yale UP, 71-104:
  votes (p. 80), probability of success, expected utility of a challenge, risk exponents
  (p. 84), the quadrant typology of Fig. 4.2 and the emission case (Table 4.1, p. 78).
* Scholz, J. B., Calbert, G. J. and Smith, G. A. (2011). "Unravelling Bueno De Mesquita's
  group decision model". *Journal of Theoretical Politics* 23(4), 510-531 (ICAART 2011
  version: Table 2, the emission case by round): eqs. 1 (votes), 2 (probability), 3
  (expected utility of i challenging j), 4-8 (utilities U_s, U_f, U_sq, U_b, U_w), 9 (range),
  10-11 (risk), Figs. 1-2 (offer quadrants).
* The public Python replication of Scholz et al. (J. Velev, "Scholz code"), whose choices
  are listed in ``shared/anchors/bdm/README.md``; implemented here from that description.

One round, on each issue's involved actors, batched over draws (kernels in
:mod:`detente.models.kernels.expected_utility` and :mod:`detente.models.kernels.offers`):

1. risk exponents r_i from the expected utilities computed with every exponent at 1;
2. with those exponents, every actor's (E^i(U_ij), E^i(U_ji)) against every other actor;
3. each actor takes at most one offer (confrontation, compromise or capitulation) and all
   move at once; the round's median and c*s-weighted mean are recorded.

Speed: where numba is installed and the options are among those it implements (every
reading except the better/worse term, ``risk_update="carry"``, ``least-movement`` and the
non-default medians), ``run_issue`` runs the same round compiled per draw, one thread per
core; otherwise the vectorised numpy round below. Both follow the reference to 1e-4 and
agree with each other to rounding (``benchmarks/README.md`` has the figures).

Where the printed equations and the replication differ, :class:`ChallengeOptions` names the
choice. Preset ``scholz-code`` (default) reproduces the replication's output to 1e-4;
preset ``paper`` reads the equations as printed.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from detente.errors import OptionError
from detente.models.base import IssueInputs, IssueOutput, LogEntry, ModelSpec, per_issue
from detente.models.kernels import expected_utility as eu_kernel
from detente.models.kernels import offers as offer_kernel
from detente.models.kernels.challenge_compiled import compiled_kernel
from detente.models.kernels.weights import weighted_mean, weighted_median

CHUNK = 1024  # draws per block in run_issue; the result does not depend on it
COMPILED = True  # use the numba-compiled round where installed and the options allow
THREADS = 0  # threads for the compiled round; 0: $DETENTE_THREADS, else one per CPU core
THREADS_VAR = "DETENTE_THREADS"  # set to 1 in sweep workers: the workers share the cores
_CHOICES = {
    "position_range": ("fixed", "current"),
    "probability": ("all-pairs", "contest"),
    "risk_update": ("reset", "carry"),
    "offer_choice": ("scholz-code", "least-movement"),
    "median": ("condorcet-linear", "condorcet-risk", "weighted"),
}


@dataclass(frozen=True)
class ChallengeOptions:
    """The named readings of the challenge model (defaults: the ``scholz-code`` preset).

    Q: probability that the status quo persists if i does not challenge (BDM 1994 p. 82).
        Default 1.0, the value of Scholz et al.'s Table 2; they also report Q = 0.5.
    T: probability that, if the status quo does not persist, things get better for i
        (weights U_b against U_w); used only with ``better_worse_term``. Default 1.0.
    position_range: R in the utilities and votes. ``fixed`` (default, the replication):
        the spread of the initial positions; ``current``: max - min of this round's
        positions, a literal reading of eq. 9.
    vote_risk: votes use the voter's current risk exponent, c_k s_k [(|x_k - x_b|/R)^r_k -
        (|x_k - x_a|/R)^r_k] (default True, the replication); False: linear votes as printed.
    probability: denominator of P_ij. ``all-pairs`` (default, the replication): absolute
        votes over every voter and every ordered pair of positions; ``contest``: only the
        i-vs-j contest (eq. 2 as printed), so P_ij + P_ji = 1.
    better_worse_term: include -(1 - Q)(T U_b + (1 - T) U_w) in E(U_ij) (eq. 3 as printed).
        Default False: the replication leaves it out, so Q only scales U_sq.
    risk_update: ``reset`` (default): exponents recomputed each round from EUs with every
        r = 1, all actors at once; ``carry``: the EUs use the previous round's exponents.
    capitulation: allow capitulation (quadrant II with |E^i(U_ij)| >= E^i(U_ji): i moves all
        the way to x_j). Default False: the replication never capitulates.
    offer_choice: ``scholz-code`` (default) or ``least-movement``; see
        :func:`detente.models.kernels.offers.choose`.
    median: the round's reported median. ``condorcet-linear`` (default): Condorcet winner
        over actor positions with linear (r = 1) c*s votes, as the replication reports;
        ``condorcet-risk``: the same with each voter's current exponent; ``weighted``: the
        lower c*s-weighted median. The forecast is the last round's median.
    """

    Q: float = 1.0
    T: float = 1.0
    position_range: str = "fixed"
    vote_risk: bool = True
    probability: str = "all-pairs"
    better_worse_term: bool = False
    risk_update: str = "reset"
    capitulation: bool = False
    offer_choice: str = "scholz-code"
    median: str = "condorcet-linear"

    def __post_init__(self) -> None:
        for name, allowed in _CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                raise OptionError(f"challenge option {name}={value!r} is not one of "
                                  f"{', '.join(allowed)}")
        for name in ("Q", "T"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not 0.0 <= float(value) <= 1.0:
                raise OptionError(f"challenge option {name}={value!r} must be a number "
                                  "between 0 and 1")
        for name in ("vote_risk", "better_worse_term", "capitulation"):
            if not isinstance(getattr(self, name), bool):
                raise OptionError(f"challenge option {name} must be true or false, "
                                  f"got {getattr(self, name)!r}")


PRESETS = {
    "scholz-code": ChallengeOptions(),
    "paper": ChallengeOptions(position_range="current", vote_risk=False,
                              probability="contest", better_worse_term=True,
                              capitulation=True, offer_choice="least-movement",
                              median="weighted"),
}


@dataclass(frozen=True)
class RoundState:
    """What one round decided, for every draw."""

    position: np.ndarray  # (B, n) after the moves
    risk: np.ndarray  # (B, n) exponents used this round
    choice: np.ndarray  # (B, n) index of the offer taken, -1 none
    kind: np.ndarray  # (B, n) offer kind taken (offers.NONE if none)
    eu_self: np.ndarray  # (B, n) E^i(U_ij) of the offer taken
    eu_other: np.ndarray  # (B, n) E^i(U_ji)


def _median(x: np.ndarray, c: np.ndarray, s: np.ndarray, r: np.ndarray, R: np.ndarray,
            opts: ChallengeOptions, dist: np.ndarray | None = None) -> np.ndarray:
    if opts.median == "weighted":
        return weighted_median(x, c * s)
    if opts.median == "condorcet-risk":
        return eu_kernel.risk_condorcet_median(x, c, s, r, R)
    return eu_kernel.linear_condorcet_median(x, c * s, dist)


def _expected_utilities(geo: eu_kernel.PairGeometry, c: np.ndarray, s: np.ndarray,
                        r: np.ndarray, mu: np.ndarray | None, opts: ChallengeOptions,
                        other: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    vote_r = r if opts.vote_risk else np.ones_like(r)
    u = eu_kernel.voter_disutility(geo.x, c, s, vote_r, geo.R, geo)
    P = eu_kernel.win_probability(u, opts.probability, geo)
    return eu_kernel.expected_utilities(geo.x, s, r, P, geo.R, float(opts.Q), float(opts.T),
                                        mu, geometry=geo, other=other)


def _geometry(x: np.ndarray, R0: np.ndarray, opts: ChallengeOptions) -> eu_kernel.PairGeometry:
    R = R0 if opts.position_range == "fixed" else np.ptp(x, axis=1)
    return eu_kernel.pair_geometry(x, np.where(R > 0, R, 1.0))


def round_expected_utilities(x: np.ndarray, c: np.ndarray, s: np.ndarray, r_prev: np.ndarray,
                             R0: np.ndarray, mu: np.ndarray, opts: ChallengeOptions,
                             geometry: eu_kernel.PairGeometry | None = None,
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """This round's risk exponents r (B, n) and E^i(U_ij), E^i(U_ji) (B, n, n) under them.

    ``R0`` is the initial range of positions, ``mu`` the previous round's median (used only
    by the better/worse term), ``r_prev`` the previous exponents (used only by
    ``risk_update="carry"``); ``geometry`` that of x (computed here when not given).
    """
    geo = _geometry(x, R0, opts) if geometry is None else geometry
    bw_mu = mu if opts.better_worse_term else None
    base = np.ones_like(x) if opts.risk_update == "reset" else r_prev
    if opts.risk_update == "reset" and bw_mu is None:  # the matrix is not needed, only S
        u = eu_kernel.voter_disutility(x, c, s, base, geo.R, geo)
        P = eu_kernel.win_probability(u, opts.probability, geo)
        r = eu_kernel.risk_from_security(eu_kernel.linear_security(geo.d, s, P))
    else:
        eu_base, _ = _expected_utilities(geo, c, s, base, bw_mu, opts, other=False)
        r = eu_kernel.risk_exponents(eu_base)
    eu_self, eu_other = _expected_utilities(geo, c, s, r, bw_mu, opts)
    assert eu_other is not None
    return r, eu_self, eu_other


def play_round(x: np.ndarray, c: np.ndarray, s: np.ndarray, r_prev: np.ndarray,
               R0: np.ndarray, mu: np.ndarray, opts: ChallengeOptions,
               geometry: eu_kernel.PairGeometry | None = None) -> RoundState:
    """One round for a batch: risk exponents, expected utilities, offers, simultaneous moves."""
    geo = _geometry(x, R0, opts) if geometry is None else geometry
    r, eu_self, eu_other = round_expected_utilities(x, c, s, r_prev, R0, mu, opts, geo)
    pick, kind, moved = offer_kernel.respond(x, eu_self, eu_other, opts.capitulation,
                                             opts.offer_choice, geo.gap)
    idx = np.maximum(pick, 0)[:, :, None]

    def at(m: np.ndarray) -> np.ndarray:
        return np.take_along_axis(m, idx, axis=2)[:, :, 0]

    return RoundState(moved, r, pick, kind, at(eu_self), at(eu_other))


def _log_round(t: int, inp: IssueInputs, before: np.ndarray, st: RoundState) -> list[LogEntry]:
    """LogEntries for draw 0: one per offer accepted."""
    out = []
    for i in np.flatnonzero(st.choice[0] >= 0):
        j = int(st.choice[0, i])
        out.append(LogEntry(
            round=t, issue=inp.issue_id, actor=inp.actor_ids[i],
            action=offer_kernel.ACTION_NAMES[int(st.kind[0, i])],
            before=float(before[0, i]), after=float(st.position[0, i]),
            target=inp.actor_ids[j],
            detail={"eu_self": float(st.eu_self[0, i]), "eu_other": float(st.eu_other[0, i])}))
    return out


def initial_range(x: np.ndarray) -> np.ndarray:
    """R0 (B,): the spread of the initial positions, 1 where they all coincide."""
    R0 = np.ptp(x, axis=1) if x.shape[1] else np.zeros(x.shape[0])
    return np.where(R0 > 0, R0, 1.0)


def run_issue(inp: IssueInputs, opts: ChallengeOptions, rounds: int,
              rng: np.random.Generator | None = None) -> IssueOutput:
    """The challenge model on one issue's actors, ``rounds`` rounds, every draw at once.

    Positions may be on any scale (the model only uses ratios of distances). The model is
    deterministic; ``rng`` is accepted for the common interface and not used.
    """
    x = np.asarray(inp.position, dtype=float)
    c, s = np.asarray(inp.capability, dtype=float), np.asarray(inp.salience, dtype=float)
    B, n = x.shape
    if COMPILED and n > 0 and _compiled_supports(opts) and compiled_kernel() is not None:
        return _run_compiled(inp, x, c, s, opts, rounds)
    if B > CHUNK:  # blocks of draws keep the (chunk, n, n, n) work arrays in cache
        parts = [run_issue(dataclasses.replace(
            inp, position=x[k:k + CHUNK], salience=s[k:k + CHUNK],
            capability=c[k:k + CHUNK], status_quo=np.asarray(inp.status_quo)[k:k + CHUNK]),
            opts, rounds) for k in range(0, B, CHUNK)]
        return IssueOutput(
            trajectory=np.concatenate([p.trajectory for p in parts]),
            forecast=np.concatenate([p.forecast for p in parts]),
            median=np.concatenate([p.median for p in parts]),
            mean=np.concatenate([p.mean for p in parts]),
            log=parts[0].log, extras=parts[0].extras)
    if n == 0:
        empty = np.full((B, rounds + 1), np.nan)
        return IssueOutput(trajectory=np.empty((B, rounds + 1, 0)), forecast=empty[:, -1],
                           median=empty, mean=empty)
    R0 = initial_range(x)
    r = np.ones_like(x)
    traj = np.empty((B, rounds + 1, n))
    medians = np.empty((B, rounds + 1))
    traj[:, 0] = x
    geo = _geometry(x, R0, opts)  # shared by the median and the next round
    medians[:, 0] = _median(x, c, s, r, R0, opts, geo.dist)
    log: list[LogEntry] = []
    risk_rows: list[dict[str, float]] = []
    for t in range(1, rounds + 1):
        st = play_round(x, c, s, r, R0, medians[:, t - 1], opts, geo)
        log += _log_round(t, inp, x, st)
        risk_rows.append({a: round(float(v), 10) for a, v in zip(inp.actor_ids, st.risk[0],
                                                                   strict=True)})
        x, r = st.position, st.risk
        traj[:, t] = x
        geo = _geometry(x, R0, opts)
        medians[:, t] = _median(x, c, s, r, R0, opts, geo.dist)
    w = np.broadcast_to((c * s)[:, None, :], traj.shape)
    means = weighted_mean(traj, w)
    return IssueOutput(trajectory=traj, forecast=medians[:, -1], median=medians, mean=means,
                       log=log, extras={"risk_exponents": risk_rows} if risk_rows else {})


MODEL = ModelSpec(
    name="challenge",
    summary="Bueno de Mesquita's expected-utility challenge model (Scholz et al. 2011)",
    source="Bueno de Mesquita (1994) pp. 71-104; Scholz, Calbert & Smith (2011) JTP 23(4), "
           "eqs. 1-11, Figs. 1-2, Table 2",
    options_type=ChallengeOptions,
    presets=PRESETS,
    run=per_issue(run_issue),
    default_rounds=10,
    default_preset="scholz-code",
)


# --- compiled rounds (models/kernels/challenge_compiled.py) -----------------------------

def _compiled_supports(opts: ChallengeOptions) -> bool:
    """The readings the compiled round implements (those of the ``scholz-code`` preset plus
    ``position_range``, ``vote_risk``, ``probability``, ``capitulation`` and Q)."""
    return (not opts.better_worse_term and opts.risk_update == "reset"
            and opts.offer_choice == "scholz-code" and opts.median == "condorcet-linear")


def _run_compiled(inp: IssueInputs, x: np.ndarray, c: np.ndarray, s: np.ndarray,
                  opts: ChallengeOptions, rounds: int) -> IssueOutput:
    """run_issue through the compiled round (same numbers up to rounding)."""
    B, n = x.shape
    traj = np.empty((B, rounds + 1, n))
    medians = np.empty((B, rounds + 1))
    risk0, eu_self0, eu_other0 = (np.zeros((rounds, n)) for _ in range(3))
    pick0, kind0 = (np.zeros((rounds, n), dtype=np.int64) for _ in range(2))
    kernel = compiled_kernel()
    x, c, s = (np.ascontiguousarray(a) for a in (x, c, s))
    R0 = initial_range(x)

    def block(lo: int, hi: int) -> None:
        kernel(x[lo:hi], c[lo:hi], s[lo:hi], R0[lo:hi], rounds, float(opts.Q),
               opts.position_range == "fixed", opts.vote_risk, opts.probability == "contest",
               opts.capitulation, lo == 0, traj[lo:hi], medians[lo:hi], risk0, pick0, kind0,
               eu_self0, eu_other0)

    # the kernel releases the GIL: one block of draws per core (draws are independent)
    threads = THREADS or int(os.environ.get(THREADS_VAR, "0") or 0) or os.cpu_count() or 1
    workers = max(1, min(threads, B // 64))
    edges = np.linspace(0, B, workers + 1).astype(int)
    if workers == 1:
        block(0, B)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(block, edges[:-1], edges[1:]))
    log: list[LogEntry] = []
    for t in range(rounds):
        st = RoundState(traj[:1, t + 1], risk0[t][None], pick0[t][None], kind0[t][None],
                        eu_self0[t][None], eu_other0[t][None])
        log += _log_round(t + 1, inp, traj[:1, t], st)
    risk_rows = [{a: round(float(v), 10) for a, v in zip(inp.actor_ids, risk0[t], strict=True)}
                 for t in range(rounds)]
    w = np.broadcast_to((c * s)[:, None, :], traj.shape)
    return IssueOutput(trajectory=traj, forecast=medians[:, -1], median=medians,
                       mean=weighted_mean(traj, w), log=log,
                       extras={"risk_exponents": risk_rows} if risk_rows else {})
