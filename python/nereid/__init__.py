"""Nereid: artifact tracking with neptune-client's API, over libnereid.

>>> import nereid
>>> run = nereid.init_run()
>>> run["data_versions"].track_files("datasets/")
>>> run["sys/id"].fetch()
'SBX-1'
>>> run.stop()
"""
from . import exceptions
from ._run import ArtifactFileData, Handler, Run, init_run
from ._compare import ArtifactDiff
from ._progress import NullProgressBar, ProgressBarCallback, ProgressBarType, TextProgressBar

__all__ = ["init_run", "Run", "Handler", "ArtifactFileData", "exceptions", "__version__"]
__all__ += ["ArtifactDiff", "ProgressBarCallback", "ProgressBarType", "NullProgressBar",
            "TextProgressBar"]

__version__: str = "0.1.0"
