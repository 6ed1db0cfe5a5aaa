"""Streamlit entry point: ``streamlit run app.py``. All page code lives in dashboard/ui."""

from dashboard.ui.app import main

main()
