"""Alerts: which episodes each rule has not told yet, the message, and its delivery through Apprise."""
