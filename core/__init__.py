"""Smart Account Hygiene core: ingestion, rules and outputs. Pure Python + pandas; never imports streamlit."""
