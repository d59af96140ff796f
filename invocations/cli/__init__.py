"""`manage.py invoke`: the flags and output of Serverless Devs `s invoke`, recorded in the history."""


class UsageError(Exception):
    """Bad flags or inputs: printed as is, exit status 64 (EX_USAGE)."""


class DatabaseAway(Exception):
    """The console's database could not be reached: printed as is, exit status 69 (EX_UNAVAILABLE)."""
