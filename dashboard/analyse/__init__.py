"""Analyse: which companies and topics a text names, and its tone (VADER with a news lexicon)."""
