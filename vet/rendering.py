"""PDF reports of the registry, drawn by WeasyPrint from HTML templates (the only place vet imports it)."""

from __future__ import annotations

from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template rendered to a PDF (A4 page size and fonts come from the template's own CSS)."""
    from weasyprint import HTML  # imported late: loading WeasyPrint costs a second that most requests never need

    return HTML(string=render_to_string(template_name, context)).write_pdf()
