"""Shared code for the hands-on deep-learning course for AI founders.

Import modules, not names, so each call shows where it lives::

    from course_utils import config, data, plotting, checks
    course_utils.setup_notebook()

Hand-written infrastructure, one module per concern: ``config`` (quick/full mode, folders),
``setup``, ``data`` (offline-first loaders), ``download``, ``plotting``, ``widgets``, ``checks``
(exercise checks), ``qa`` (the interview bank) and ``export``. Lesson code is generated from the
notebook cells marked ``#@save`` (``make export``): ``strategy`` (01), ``interview`` (02), ``cnn``
(03), ``rnn`` (04), ``gan`` (05), ``evaluation`` (06).
"""

from . import checks, config
from .setup import environment_report, setup_notebook

__all__ = ["checks", "config", "environment_report", "setup_notebook"]
__version__ = "0.1.0"
