"""``python -m dashboard.ui.serve [streamlit options]``: ``streamlit run app.py`` with the dashboard's modules
(pandas, Plotly, SQLAlchemy, the analysis) imported before the server answers, so the first visitor's page
does not wait seconds for imports that ``streamlit run`` would only start on the first visit."""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"


def main() -> None:
    import plotly.graph_objects  # noqa: F401  (the heaviest import; charts build figures with it)
    from streamlit.web import cli

    import dashboard.ui.app  # noqa: F401

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
