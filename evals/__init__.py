"""Quality evaluation of the analysis engine on the project's own labelled corpus (``make eval``)."""
