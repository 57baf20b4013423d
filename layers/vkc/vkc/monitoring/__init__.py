"""Scheduled monitoring: collect communities again on their interval, and keep a log of every run."""
