"""`manage.py invoke`: the flags and output of Serverless Devs `s invoke`, recorded in the history."""


class UsageError(Exception):
    """Bad flags or inputs: printed as is, exit status 64 (EX_USAGE)."""
