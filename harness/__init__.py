"""Real servers that the tests and the benchmarks both start: a throwaway PostgreSQL, a streamlit run."""
