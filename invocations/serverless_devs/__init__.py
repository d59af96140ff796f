"""Serverless Devs (`s`) files read by the console: `~/.s/access.yaml` and a project's `s.yaml`."""
