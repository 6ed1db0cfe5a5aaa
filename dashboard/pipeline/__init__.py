"""Pipeline: collect, analyse and store together: ingest, backfill, rescore, the demo corpus."""
