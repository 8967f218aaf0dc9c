from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context, language_code: str) -> str:
    """The current page's address in another language (i18n_patterns prefix added or removed)."""
    request = context["request"]
    return translate_url(request.get_full_path(), language_code)
