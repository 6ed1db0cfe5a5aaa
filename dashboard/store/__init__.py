"""Store: the schema, the per-feed transactional writes, the daily roll-ups and the full-text index."""
