"""neptune-client's exception classes, as Nereid raises them: this module is
``nereid.exceptions`` (``from neptune.exceptions import MissingFieldException``)."""
from nereid.exceptions import *  # noqa: F401,F403
from nereid.exceptions import __all__  # noqa: F401
