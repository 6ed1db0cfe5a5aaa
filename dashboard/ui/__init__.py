"""Everything that imports streamlit: pages, widgets and cached reads."""
