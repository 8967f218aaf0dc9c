"""OpenAPI generation: the public schema covers the VETtrack API only, not Wagtail's internal admin API."""


def only_vettrack_api(endpoints):
    return [e for e in endpoints if e[0].startswith("/api/v1/")]
