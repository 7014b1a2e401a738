"""Progress bars and Ctrl-C for the long calls of the binding (track,
download, status).

What it is for: turning libnereid's progress callback (``nereid_options.
progress``, one per project handle) into neptune-client's progress bars
(``progress_bar=None/True/False`` or a :class:`ProgressBarCallback` class),
and making those calls interruptible: while one runs on the main thread,
SIGINT only sets a flag, the next progress call returns non-zero, the library
cancels (``NEREID_ECANCELLED``, nothing half-written) and the call raises
``KeyboardInterrupt``. What it is not for: calling the library, or any
other signal than SIGINT.

The library calls the progress callback only on the thread that called into
it, between units of work, with no library lock held, about every 100 ms
(include/nereid.h). ctypes releases the GIL for the foreign call and takes
it again for the callback, so other Python threads run meanwhile.
"""
from __future__ import annotations

import abc
import contextlib
import signal
import sys
import threading
import time
from types import TracebackType
from typing import Any, Callable, Dict, Optional, TextIO, Type, Union

from . import _lib

__all__ = ["ProgressBarCallback", "NullProgressBar", "TextProgressBar", "ProgressBarType"]


class ProgressBarCallback(contextlib.AbstractContextManager):  # type: ignore[type-arg]
    """A progress bar, as neptune-client's ``neptune.typing.ProgressBarCallback``.

    Pass the class (or any callable returning such an object) as
    ``progress_bar=``: it is called with the keywords ``description``,
    ``unit`` and ``unit_scale``, entered as a context manager for the
    call, and its :meth:`update` is called as work is done. An exception
    raised by :meth:`update` cancels the call (nothing half-written) and is
    raised by it. :meth:`update` runs while the library is inside the call:
    it must not use the run it reports on (a long call from it raises
    RuntimeError; other runs are fine).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    @abc.abstractmethod
    def update(self, *, by: int, total: Optional[int] = None) -> None:
        """``by`` more units were done; ``total`` is the number expected (None: unknown)."""

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc_val: Optional[BaseException],
                 exc_tb: Optional[TracebackType]) -> None:
        return None


ProgressBarType = Union[None, bool, Type[ProgressBarCallback], Callable[..., ProgressBarCallback]]
"""What ``progress_bar=`` accepts: None or True (a bar when stderr is a
terminal), False (none), or a ProgressBarCallback class / factory."""


class NullProgressBar(ProgressBarCallback):
    """A progress bar that shows nothing."""

    def update(self, *, by: int, total: Optional[int] = None) -> None:
        pass


class TextProgressBar(ProgressBarCallback):
    """One line on a stream (stderr), rewritten at most 10 times a second:
    ``Tracking files: 1200/100000 files``; ended with a newline."""

    def __init__(self, *args: Any, description: Optional[str] = None, unit: Optional[str] = None,
                 stream: Optional[TextIO] = None, **kwargs: Any) -> None:
        super().__init__()
        self._description = description or "Working"
        self._unit = unit or ""
        self._stream = stream if stream is not None else sys.stderr
        self._done = 0
        self._total: Optional[int] = None
        self._shown = 0.0
        self._drawn = False

    def _draw(self) -> None:
        of = f"/{self._total}" if self._total else ""
        unit = f" {self._unit}" if self._unit else ""
        self._stream.write(f"\r{self._description}: {self._done}{of}{unit}")
        self._stream.flush()
        self._drawn = True

    def update(self, *, by: int, total: Optional[int] = None) -> None:
        self._done += by
        if total:
            self._total = total
        now = time.monotonic()
        if now - self._shown >= 0.1:
            self._shown = now
            self._draw()

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc_val: Optional[BaseException],
                 exc_tb: Optional[TracebackType]) -> None:
        if self._drawn or self._done:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()


def make_bar(progress_bar: Any, description: str, unit: str = "files") -> ProgressBarCallback:
    """The progress bar object that progress_bar= asks for."""
    if progress_bar is None or progress_bar is True:
        try:
            tty = sys.stderr is not None and sys.stderr.isatty()
        except (AttributeError, ValueError):
            tty = False
        return TextProgressBar(description=description, unit=unit) if tty else NullProgressBar()
    if progress_bar is False:
        return NullProgressBar()
    if isinstance(progress_bar, ProgressBarCallback):
        return progress_bar  # an instance: used as it is
    if callable(progress_bar):
        bar = progress_bar(description=description, unit=unit, unit_scale=False)
        if not callable(getattr(bar, "update", None)) or not hasattr(bar, "__enter__"):
            raise TypeError("progress_bar must make a ProgressBarCallback (a context manager "
                            f"with update(by=, total=)), not {type(bar).__name__}")
        return bar
    raise TypeError("progress_bar must be None, a bool or a ProgressBarCallback class, "
                    f"not {type(progress_bar).__name__}")


class Hook:
    """The progress callback of one project handle, kept alive as long as
    the handle (libnereid keeps the function pointer). It forwards each call
    to the long call in progress on the handle, if any."""

    def __init__(self) -> None:
        self.call: Optional["LongCall"] = None
        self.cfunc = _lib.PROGRESS(self._progress)

    def _progress(self, stage: Optional[bytes], done: int, total: int, payload: Any) -> int:
        c = self.call
        return c.tick(stage, done, total) if c is not None else 0


class LongCall:
    """Context manager around one long library call (see the module's doc).

    Leaving it, in this order: an exception raised by the progress bar is
    raised (the library was told to cancel); after a Ctrl-C,
    ``KeyboardInterrupt`` is raised, whether the library cancelled or had
    already finished (then what it wrote is complete); else the call's own
    outcome stands.
    """

    def __init__(self, run: Any, progress_bar: Any, description: str, unit: str = "files") -> None:
        self._hook: Optional[Hook] = getattr(run, "_progress_hook", None)
        self._bar = make_bar(progress_bar, description, unit)
        self._interrupted = False
        self._error: Optional[BaseException] = None
        self._seen: Dict[str, int] = {}
        self._previous: Any = None
        self._installed = False

    # The SIGINT handler: only sets the flag; the callback does the rest.
    def _on_sigint(self, signum: int, frame: Any) -> None:
        self._interrupted = True

    def tick(self, stage: Optional[bytes], done: int, total: int) -> int:
        """The library's progress call: update the bar; non-zero cancels."""
        if self._interrupted or self._error is not None:
            return 1
        try:
            name = stage.decode("utf-8", "replace") if stage else ""
            last = self._seen.get(name, 0)
            by = done - last if done >= last else done
            self._seen[name] = done
            self._bar.update(by=by, total=total or None)
        except BaseException as e:  # noqa: B902 - KeyboardInterrupt included
            self._error = e
            return 1
        return 1 if self._interrupted else 0

    def __enter__(self) -> "LongCall":
        if self._hook is not None and self._hook.call is not None:
            raise RuntimeError("a progress bar cannot start a long call on the run it reports on")
        # Only the main thread can set signal handlers, and only Python's
        # own default (KeyboardInterrupt) is replaced: a program's own SIGINT
        # handler, or an ignored SIGINT, is left as it is.
        if threading.current_thread() is threading.main_thread():
            try:
                current = signal.getsignal(signal.SIGINT)
                if current is signal.default_int_handler:
                    self._previous = signal.signal(signal.SIGINT, self._on_sigint)
                    self._installed = True
            except (ValueError, OSError):
                self._installed = False
        try:
            self._bar.__enter__()
        except BaseException:
            self._restore()
            raise
        if self._hook is not None:
            self._hook.call = self
        return self

    def _restore(self) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc_val: Optional[BaseException],
                 exc_tb: Optional[TracebackType]) -> None:
        if self._hook is not None:
            self._hook.call = None
        try:
            self._bar.__exit__(exc_type, exc_val, exc_tb)
        finally:
            self._restore()
        if self._error is not None:
            raise self._error
        if self._interrupted:
            raise KeyboardInterrupt


def long_call(run: Any, progress_bar: Any, description: str, unit: str = "files") -> LongCall:
    """``with long_call(run, progress_bar, "Tracking files"):`` around a long library call."""
    return LongCall(run, progress_bar, description, unit)
