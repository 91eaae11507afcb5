"""The only package in ``studio`` that owns threads.

Workers are ``QObject``s moved to a ``QThread``; they run plain backend code and re-emit its results as
signals. Everything else in the app talks to them through the runner objects here, from the GUI thread.
"""
from studio.workers.background import BackgroundCall
from studio.workers.newest_wins import NewestWins
from studio.workers.training import TrainingRunner, TrainingWorker

__all__ = ["BackgroundCall", "NewestWins", "TrainingRunner", "TrainingWorker"]
