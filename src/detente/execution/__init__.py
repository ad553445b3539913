"""Sweeps over scenario parameters and model options, on local processes or Dask.

:mod:`.spec` reads a sweep spec and expands its design into cells, :mod:`.executors` runs
cells somewhere, :mod:`.sweep` records them in the run store and resumes after a crash.
"""
