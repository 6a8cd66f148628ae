"""Shared code for the hands-on deep-learning course for AI founders.

Import modules, not names, so each call shows where it lives::

    from course_utils import config, data, plotting, checks
    course_utils.setup_notebook()

Hand-written infrastructure, one module per concern: ``config`` (quick/full mode, folders),
``setup``, ``data`` (offline-first loaders), ``plotting``, ``widgets``, ``checks`` (exercise
checks), ``qa`` (the interview bank) and ``export``. Lesson code is generated from the
notebook cells marked ``#@save`` (``make export``): ``strategy`` (01), ``data_safety`` (02),
``interview`` (03), ``convolution`` (04), ``cnn`` (05), ``rnn`` (06), ``gan`` (07),
``evaluation`` (08).
"""

from . import checks, config
from .setup import environment_report, setup_notebook

__all__ = ["checks", "config", "environment_report", "setup_notebook"]
__version__ = "0.1.0"
