"""Uncertainty over a scenario's inputs: distributions, Monte Carlo draws, sensitivity.

Modules: :mod:`~detente.uncertainty.spec` (the scenario's ``uncertainty`` block),
:mod:`~detente.uncertainty.draws` (turning it into a batch of scenario arrays),
:mod:`~detente.uncertainty.montecarlo` (running a model on the batch) and
:mod:`~detente.uncertainty.sensitivity` (tornado swings and Sobol indices).
This package imports nothing at load time, because the scenario model imports its spec.
"""
