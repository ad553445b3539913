"""Evaluation: how well models forecast known outcomes (backtests and their error metrics)."""

from detente.evaluation.backtest import BacktestResult, IssueError, backtest, usable_issues
from detente.evaluation.metrics import ErrorSummary, summarise

__all__ = ["BacktestResult", "ErrorSummary", "IssueError", "backtest", "summarise",
           "usable_issues"]
