"""Streamlit-side glue shared by the pages: translations, cached data and weights, URL state, charts."""
