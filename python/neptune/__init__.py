"""Nereid's ``neptune`` compatibility package: code written for
neptune-client 1.x's artifact API runs unchanged on Nereid.

``import neptune`` gives Nereid's ``init_run``, ``init_project``, ``Run``
and ``Project``; ``neptune.exceptions`` and ``neptune.types`` are
``nereid.exceptions`` and ``nereid.types``. This is not neptune-client:
only what artifact code uses is here (no metrics, files or series), and
everything is stored by libnereid (see the ``nereid`` package).

>>> import neptune
>>> run = neptune.init_run()
>>> run["data_versions"].track_files("datasets/")
>>> run.stop()
"""
from nereid import ArtifactFileData, Project, Run, Table, TableEntry, init_project, init_run
from nereid import __version__

from . import exceptions, types

__all__ = ["init_run", "init_project", "Run", "Project", "Table", "TableEntry",
           "ArtifactFileData", "ANONYMOUS_API_TOKEN", "exceptions", "types", "__version__"]

ANONYMOUS_API_TOKEN: str = "ANONYMOUS"
"""neptune-client's token for its public projects; the embedded store needs none."""
