"""KgbuildError: the base of every error a user can cause and fix.

The CLI prints such an error as one line and exits 1, without a traceback;
any other exception is a bug and keeps its traceback.
"""


class KgbuildError(Exception):
    """A user-facing error whose message is one line naming what to fix."""
