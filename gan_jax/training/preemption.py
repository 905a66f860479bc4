"""SIGTERM/SIGINT (preemption, Ctrl-C) become a request to stop after the current step.

The training loop polls `requested()` once per step, saves a checkpoint and
returns; a second signal of the same kind while it saves is ignored, so the
save is never cut short by an impatient repeat.
"""
import contextlib
import logging
import signal
import threading

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopRequest:
  """Set by a signal handler; read by the training loop."""

  def __init__(self):
    self.signal_name: str | None = None

  def _handle(self, signum, frame):
    del frame
    if self.signal_name is None:
      self.signal_name = signal.Signals(signum).name
      logging.warning('%s received: finishing this step, saving a checkpoint, then exiting.',
                      self.signal_name)

  def requested(self) -> bool:
    return self.signal_name is not None


@contextlib.contextmanager
def stop_on_signals():
  """Yields a StopRequest; the previous handlers come back on exit.

  Signal handlers can only be installed from the main thread; elsewhere (a
  training call from a worker thread) signals keep their default behaviour.
  """
  request = StopRequest()
  if threading.current_thread() is not threading.main_thread():
    yield request
    return
  previous = {s: signal.signal(s, request._handle) for s in SIGNALS}
  try:
    yield request
  finally:
    for s, handler in previous.items():
      signal.signal(s, handler)
