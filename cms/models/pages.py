"""Public site pages. The full catalogue arrives with the public-site work; the home page exists now."""

from wagtail.models import Page

from vet import selectors


class HomePage(Page):
    """Site root: a summary of the registry with links to the API and the back-office."""

    max_count = 1
    subpage_types: list[str] = []

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["summary"] = selectors.get_registry_summary()
        return context
