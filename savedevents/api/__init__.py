"""The REST API of saved events and of the trigger event templates they start from.

Mounted at /api/v1/ from fcconsole/urls.py, beside the core's API; it uses the core's shared DRF
parts (token authentication, role permission, error body, UUID lookups) through settings and
`invocations.api`.
"""
