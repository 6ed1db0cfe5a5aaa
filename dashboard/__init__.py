"""AI-industry news sentiment tracker: ingest, analyse and chart news about AI companies."""

__version__ = "0.1.0"
