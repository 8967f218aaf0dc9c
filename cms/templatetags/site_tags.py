import json

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info
from wagtail.models import Page

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context, language_code: str) -> str:
    """The current page's address in another language (i18n_patterns prefix added or removed)."""
    request = context["request"]
    return translate_url(request.get_full_path(), language_code)


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """One link per site language: to the translation of the Wagtail page shown (its own slug in that language),
    else to its nearest translated ancestor (not an hreflang alternate), else to the same address with the language
    prefix changed. The query string is kept (a catalogue search)."""
    request = context.get("request")
    page = context.get("page")
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    translations, fallbacks = {}, {}
    if page is not None and getattr(page, "pk", None):
        for translated in page.get_translations(inclusive=True).live().select_related("locale"):
            translations[translated.locale.language_code] = translated
        missing = [code for code, _name in settings.LANGUAGES if code not in translations]
        if missing:  # an untranslated page: its nearest translated ancestor, not an address that does not exist
            keys = page.get_ancestors().values_list("translation_key", flat=True)
            for ancestor in (Page.objects.live().filter(translation_key__in=keys, locale__language_code__in=missing)
                             .select_related("locale").order_by("depth")):
                fallbacks[ancestor.locale.language_code] = ancestor  # the deepest wins
    query = request.META.get("QUERY_STRING", "") if request else ""
    links = []
    for code, _name in settings.LANGUAGES:
        alternate = True  # the same content in that language (hreflang)
        if code in translations:
            url = translations[code].get_url(request=request)
            if query:
                url = f"{url}?{query}"
        elif code in fallbacks:
            url, alternate = fallbacks[code].get_url(request=request), False
        elif request is not None:
            url = translate_url(request.get_full_path(), code)
        else:
            url = "/"
        info = get_language_info(code)
        links.append({"code": code, "name": info["name_local"], "url": url, "current": code == current,
                      "alternate": alternate})
    return links


@register.simple_tag(takes_context=True)
def absolute_url(context, url: str) -> str:
    request = context.get("request")
    if not url or url.startswith(("http://", "https://")) or request is None:
        return url or ""
    return request.build_absolute_uri(url)


@register.simple_tag
def json_ld(data: dict) -> str:
    """A schema.org block: JSON escaped for a <script> element."""
    return mark_safe(json_script(data).replace('<script type="application/json">',
                                               '<script type="application/ld+json">', 1))


@register.filter
def to_json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (empty value: removed), for links that keep state."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


SECTION_MODELS = ("homepage", "programindexpage", "schoolindexpage", "newsindexpage")


@register.simple_tag(takes_context=True)
def site_sections(context) -> dict:
    """The home page and the programs, schools and news sections in the active language (one query a request)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Locale, Page

    request = context.get("request")
    cached = getattr(request, "_vettrack_sections", None)
    if cached is not None:
        return cached
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        locale = Locale.get_default()
    types = {ContentType.objects.get_by_natural_key("cms", model).pk: model for model in SECTION_MODELS}  # cached
    sections = {}
    for page in Page.objects.live().filter(locale=locale, depth__lte=3, content_type_id__in=types).order_by("depth"):
        sections.setdefault(types[page.content_type_id].removesuffix("page").removesuffix("index"),
                            page.get_url(request=request))
    if request is not None:
        request._vettrack_sections = sections
    return sections
