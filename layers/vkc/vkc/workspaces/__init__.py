"""Workspaces own every user row; API keys authenticate requests into one workspace."""
