"""Read: filters from the URL, the queries and shaping behind every page, and its figures."""
