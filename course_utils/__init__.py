"""Shared code for the hands-on deep-learning course for AI founders.

Import modules, not names, so each call shows where it lives::

    from course_utils import config, data, plotting, checks
    course_utils.setup_notebook()

Modules: ``config`` (quick/full mode, folders), ``data`` (offline-first loaders), ``checks``
(exercise checks), ``plotting``, ``widgets``, and one module per notebook topic.
"""

from . import checks, config
from .setup import environment_report, setup_notebook

__all__ = ["checks", "config", "environment_report", "setup_notebook"]
__version__ = "0.1.0"
