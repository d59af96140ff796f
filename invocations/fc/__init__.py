"""The shared invoker: Function Compute 2.0 (API 2016-08-15) and 3.0 (API 2023-03-30) in plain Python.

One client (`client.FCClient`) for both; a `targets.Target` picks the version, `protocols` holds
each version's wire format. Nothing outside this package speaks HTTP to FC. No Django imports here.
"""
