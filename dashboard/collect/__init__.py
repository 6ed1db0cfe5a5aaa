"""Collect: fetch feeds over HTTP and turn their bytes into clean Article records."""
