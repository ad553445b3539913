"""Grouped cross-validation: no proposal leaks, deterministic refits, DEU reference figures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import OptionError
from detente.evaluation.backtest import load_dataset, usable_issues
from detente.evaluation.crossval import (
    cross_validate,
    fit_best_model,
    grouped_folds,
    proposal_groups,
    proposal_of,
)
from detente.scenario.arrays import to_arrays

from ..conftest import split_deu_by_proposal


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([f"p{i}" for i in range(12)]), min_size=4, max_size=60),
       st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_grouped_split_never_leaks_a_proposal(groups, k, seed):
    if k > len(set(groups)):
        with pytest.raises(OptionError):
            grouped_folds(groups, k, seed)
        return
    folds = grouped_folds(groups, k, seed)
    for g in set(groups):
        assert len({int(f) for f, h in zip(folds, groups, strict=True) if h == g}) == 1
    assert set(folds.tolist()) == set(range(k))  # every fold gets a proposal
    assert np.array_equal(folds, grouped_folds(groups, k, seed))


def test_proposal_from_name_or_issue_id():
    assert proposal_of("d00032i1", "documents (d00032)") == "d00032"
    assert proposal_of("x12i3") == "x12"
    assert proposal_of("date") == "date"


@pytest.fixture
def deu_public(anchors):
    sc, _ = load_dataset(anchors / "bdm" / "deu3_public__blksv.tsv", "deu")
    arrays = to_arrays(sc, "equal")
    ids, _ = usable_issues(arrays)
    return sc, arrays.subset_issues(ids)


def test_refit_with_fixed_seed_gives_identical_parameters(deu_public):
    sc, arrays = deu_public
    groups = proposal_groups(sc, list(arrays.issue_ids))
    assert fit_best_model(arrays, groups, 5, 3) == fit_best_model(arrays, groups, 5, 3)


def test_public_split_reference_and_coverage(deu_public):
    sc, arrays = deu_public
    report = cross_validate(sc, arrays, ["compromise", "best"], k=10, seed=0)
    comp, best = report.models
    # the README's reference figure: c*s weighted mean, equal capability, 237 issues
    assert comp.summary.n == 237
    assert comp.summary.mae == pytest.approx(23.69, abs=0.005)
    assert report.n_proposals == 96
    # parameters and interval quantiles fitted on training folds only: out-of-fold
    # coverage of the nominal 80% intervals lands in the 75-85% band
    for m in (comp, best):
        assert 0.75 <= m.coverage <= 0.85
    assert len(report.fold_parameters) == 10
    # out of sample the fitted model beats the compromise model (README: 21.88 vs 23.69)
    assert best.summary.mae < comp.summary.mae - 1.0


def test_cross_validation_runs_the_preset_it_reports(deu_public):
    sc, arrays = deu_public
    sub = arrays.subset_issues(list(arrays.issue_ids)[:60])
    report = cross_validate(sc, sub, ["compromise", "nash"], k=3, seed=0, preset="all")
    labels = [m.label for m in report.models]
    assert labels == ["compromise", "nash", "nash (salience)"]
    default, salience = report.models[1:]
    assert default.summary.mae != salience.summary.mae  # not the default preset twice
    assert report.to_dict()["models"][2]["preset"] == "salience"


def test_each_fold_of_a_refitted_model_is_a_step(deu_public):
    # the web job reports progress and takes a cancel between these steps
    from detente.evaluation.crossval import cv_steps

    sc, arrays = deu_public
    sub = arrays.subset_issues(list(arrays.issue_ids)[:60])
    seen: list[tuple[int, str]] = []
    report = cross_validate(sc, sub, ["compromise", "best", "nash"], k=3, seed=0,
                            preset="all", before_each=lambda j, label: seen.append((j, label)))
    assert [j for j, _ in seen] == list(range(len(seen)))
    assert [label for _, label in seen] == [
        "cross-validation: compromise", "cross-validation: best, fold 1 of 3",
        "cross-validation: best, fold 2 of 3", "cross-validation: best, fold 3 of 3",
        "cross-validation: best (as-coded), fold 1 of 3",
        "cross-validation: best (as-coded), fold 2 of 3",
        "cross-validation: best (as-coded), fold 3 of 3",
        "cross-validation: nash", "cross-validation: nash (salience)"]
    assert cv_steps(["best", "nash"], 3, "all") == len(seen)
    assert report == cross_validate(sc, sub, ["compromise", "best", "nash"], k=3, seed=0,
                                    preset="all")

    class StopError(Exception):
        pass

    def stop_at_second(j: int, label: str) -> None:
        if j == 2:
            raise StopError(label)

    with pytest.raises(StopError, match="fold 2 of 3"):
        cross_validate(sc, sub, ["compromise", "best"], k=3, seed=0, before_each=stop_at_second)


def test_a_file_split_by_proposal_cross_validates_as_the_whole(anchors, tmp_path):
    # the folds deal proposals, not files: the two halves pooled give the whole file's
    # folds, so every figure (best refitted in each fold included) is the whole file's
    from detente.evaluation.crossval import cross_validate_files

    def datasets(paths):
        return [(load_dataset(p, "deu")[0], "equal") for p in paths]

    whole = anchors / "bdm" / "deu3_public__blksv.tsv"
    pooled = cross_validate_files(datasets(split_deu_by_proposal(whole, tmp_path)),
                                  ["best"], 4, 1)
    single = cross_validate_files(datasets([whole]), ["best"], 4, 1)
    assert (pooled.n_files, single.n_files) == (2, 1)
    assert pooled.scale == "percent of each issue's range"
    assert (pooled.n_issues, pooled.n_proposals) == (single.n_issues, single.n_proposals)
    for p, s in zip(pooled.models, single.models, strict=True):
        assert p.label == s.label
        assert p.summary.mae == pytest.approx(s.summary.mae, abs=1e-9)
        assert p.coverage == pytest.approx(s.coverage, abs=1e-12)


def test_pooled_issues_are_on_0_100_and_a_shared_proposal_is_one_group():
    from detente.evaluation.crossval import grouped_folds, usable_pool
    from detente.scenario.model import Actor, Issue, Outcome, Scale, Scenario

    def case(outcome: float, prefix: str) -> Scenario:
        return Scenario(
            issues=[Issue(id=f"{prefix}i1", name=f"one ({prefix})", scale=Scale(min=0, max=10),
                          outcome=Outcome(value=outcome))],
            actors=[Actor(id=a, capability=1, position={f"{prefix}i1": p},
                          salience={f"{prefix}i1": 1})
                    for a, p in zip("abc", (0, 5, 10), strict=True)])

    arrays, groups, files = usable_pool([(case(2, "p1"), "default"),
                                         (case(6, "p1"), "default"), (case(6, "p2"), "default")])
    assert arrays.issue_ids == ("1:p1i1", "2:p1i1", "3:p2i1")
    assert files == ["file 1", "file 2", "file 3"]
    assert groups == ["p1", "p1", "p2"]  # the proposal of the first two files is one
    folds = grouped_folds(groups, 2, 0)
    assert folds[0] == folds[1] != folds[2]
    np.testing.assert_allclose(arrays.outcome, [20, 60, 60])  # percent of the 0-10 range
    np.testing.assert_array_equal(arrays.to_issue_scale(arrays.outcome), arrays.outcome)
    one, _, _ = usable_pool([(case(2, "p1"), "default")])
    assert one.issue_ids == ("p1i1",) and one.scale_max[0] == 10  # one file: its own scale


def test_folds_by_file_predict_each_file_from_the_others(anchors, tmp_path):
    # leave one file out: best is fitted on one half of the DEU file and tested on the other,
    # so its figures differ from the proposal folds'; the compromise model has nothing to fit
    from detente.evaluation.crossval import cross_validate_files

    halves = [(load_dataset(p, "deu")[0], "equal")
              for p in split_deu_by_proposal(anchors / "bdm" / "deu3_public__blksv.tsv",
                                             tmp_path)]
    by_file = cross_validate_files(halves, ["best"], 2, 0, by="file")
    by_proposal = cross_validate_files(halves, ["best"], 2, 0)
    assert (by_file.grouped_by, by_proposal.grouped_by) == ("file", "proposal")
    assert by_file.to_dict()["grouped_by"] == "file" and len(by_file.fold_parameters) == 2
    comp_f, best_f = by_file.models
    comp_p, best_p = by_proposal.models
    assert comp_f.summary.mae == pytest.approx(comp_p.summary.mae)
    assert best_f.summary.mae != pytest.approx(best_p.summary.mae)
    assert 0.7 <= best_f.coverage <= 0.9
    with pytest.raises(OptionError, match="3 folds need at least 3 files"):
        cross_validate_files(halves, ["best"], 3, 0, by="file")
    with pytest.raises(OptionError, match="at least 2 files"):
        cross_validate_files(halves[:1], ["best"], 2, 0, by="file")
    with pytest.raises(OptionError, match="not 'actor'"):
        cross_validate_files(halves, ["best"], 2, 0, by="actor")


def _random_proposals(rng: np.random.Generator, n_proposals: int):
    """Issues of 1-2 per proposal (DEU-style names), each with 3-6 of 8 actors and an outcome."""
    from detente.scenario.model import Issue, Outcome

    issues, stances = [], {}
    for p in range(n_proposals):
        for i in range(int(rng.integers(1, 3))):
            issue_id = f"x{p}i{i}"
            issues.append(Issue(id=issue_id, name=f"proposal {p} (P{p})",
                                outcome=Outcome(value=float(rng.integers(0, 101)))))
            for a in rng.choice(8, size=int(rng.integers(3, 7)), replace=False):
                stances.setdefault(f"a{a}", {})[issue_id] = (float(rng.integers(0, 101)),
                                                             float(rng.uniform(0.1, 1)))
    return issues, stances


def _scenario_of(issues, stances):
    from detente.scenario.model import Actor, Scenario

    ids = {i.id for i in issues}
    actors = [Actor(id=a, capability=1 + int(a[1:]),
                    position={i: p for i, (p, _) in s.items() if i in ids},
                    salience={i: w for i, (_, w) in s.items() if i in ids})
              for a, s in sorted(stances.items()) if ids & set(s)]
    return Scenario(issues=issues, actors=actors)


@settings(max_examples=25, deadline=None)
@given(st.integers(6, 14), st.integers(2, 3), st.integers(2, 4), st.integers(0, 2**16))
def test_files_split_by_proposal_cross_validate_as_their_union(n_proposals, n_files, k, seed):
    # folds deal proposals, so splitting a data set into files along proposals changes nothing
    from detente.evaluation.crossval import cross_validate_files

    issues, stances = _random_proposals(np.random.default_rng(seed), n_proposals)
    whole = cross_validate_files([(_scenario_of(issues, stances), "default")], ["median"], k,
                                 seed)
    files = [_scenario_of([i for i in issues if int(i.id[1:].split("i")[0]) % n_files == f],
                          stances) for f in range(n_files)]
    pooled = cross_validate_files([(sc, "default") for sc in files], ["median"], k, seed)
    assert (pooled.n_issues, pooled.n_proposals) == (whole.n_issues, whole.n_proposals)
    for p, w in zip(pooled.models, whole.models, strict=True):
        assert p.summary.mae == pytest.approx(w.summary.mae, abs=1e-9)
        assert p.coverage == pytest.approx(w.coverage, abs=1e-12)
        assert p.mean_width == pytest.approx(w.mean_width, abs=1e-9)  # same folds
        assert p.mae_by_file is not None and len(p.mae_by_file) == n_files


@pytest.mark.parametrize(("k", "inner"), [(3, 2), (10, 9), (11, 10), (40, 10)])
def test_the_inner_calibration_folds_are_capped(monkeypatch, k, inner):
    # k - 1 inner folds, at most INNER_FOLDS: the refits per test fold stop growing with k,
    # so a leave-one-proposal-out run takes about k times one fold, not k squared
    from detente.evaluation import crossval

    seen: list[int] = []
    real = crossval.fit_calibrated

    def spy(name, arrays, groups, inner_k, *args, **kwargs):
        seen.append(inner_k)
        return real(name, arrays, groups, inner_k, *args, **kwargs)

    monkeypatch.setattr(crossval, "fit_calibrated", spy)
    issues, stances = _random_proposals(np.random.default_rng(k), 45)
    crossval.cross_validate_files([(_scenario_of(issues, stances), "default")], ["best"], k, 0)
    assert seen == [inner] * k
