"""Nereid: artifact tracking with neptune-client's API, over libnereid.

>>> import nereid
>>> run = nereid.init_run()
>>> run["data_versions"].track_files("datasets/")
>>> run["sys/id"].fetch()
'SND-1'
>>> run.stop()
"""
from . import exceptions, types
from ._project import Project, Table, TableEntry, init_project
from ._run import ArtifactFileData, Handler, Run, init_run
from ._compare import ArtifactDiff
from ._progress import NullProgressBar, ProgressBarCallback, ProgressBarType, TextProgressBar

__all__ = ["init_run", "init_project", "Run", "Project", "Handler", "Table", "TableEntry",
           "ArtifactFileData", "exceptions", "types", "__version__"]
__all__ += ["ArtifactDiff", "ProgressBarCallback", "ProgressBarType", "NullProgressBar",
            "TextProgressBar"]

__version__: str = "0.1.0"
