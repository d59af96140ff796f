"""The invocations' history over time: its rows as exports write them, and how long it is kept."""
