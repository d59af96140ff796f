"""The shared invoker: Function Compute 2.0 (API 2016-08-15) in plain Python.

Nothing outside this package speaks HTTP to FC. No Django imports here.
"""
