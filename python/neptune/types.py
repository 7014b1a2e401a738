"""neptune-client's value types that Nereid stores: this module is
``nereid.types`` (the artifact value, ``from neptune.types import Artifact``)."""
from nereid.types import *  # noqa: F401,F403
from nereid.types import __all__  # noqa: F401
