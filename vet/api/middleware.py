"""The API speaks the client's language (Accept-Language), Vietnamese by default.

Django's LocaleMiddleware gives every path without a language prefix the default language, since the public
site uses `i18n_patterns` with an unprefixed Vietnamese; API paths carry no prefix, so API clients choose
their language with the Accept-Language header instead."""

from django.utils import translation

API_PREFIX = "/api/"


class APILanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
