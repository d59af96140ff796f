"""Team administration: users, their roles, and the one-time links that let them set a password.

The roles themselves (`Membership`, `Role`) are the core's (invocations/models/roles.py): its
access rules read them. This app only changes them, and announces what it did through
`invocations.activity`.
"""
