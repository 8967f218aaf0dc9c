"""Wagtail admin views of the certificates app (each module registers its own hooks)."""
