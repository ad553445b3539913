"""Sweeps over scenario parameters and model options, on local processes or Dask; separate
cases side by side.

:mod:`.spec` reads a sweep spec and expands its design into cells, :mod:`.executors` runs
cells somewhere, :mod:`.sweep` records them in the run store and resumes after a crash.
:mod:`.cases` runs the separate cases of a data file (DEU rows, case files) on local worker
processes for the models that forecast each case alone; :mod:`.cancel` lets a job stop a model
part way.
"""
