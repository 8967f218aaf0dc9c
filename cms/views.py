"""Plain views of the public site: robots.txt."""

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

DISALLOWED = ("/admin/", "/api/", "/verify/", "/en/verify/", "/documents/")


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    """Crawlers may read the catalogue; never the back-office, the API or anyone's diploma."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "",
             f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


OPEN_DATA_FIELDS = ("occupation_code", "occupation_vi", "occupation_en", "level", "tier", "institution_code",
                    "institution_vi", "institution_en", "institution_type", "ownership", "province_code",
                    "province_vi", "approved_on", "url_vi", "url_en")


def _open_data_rows(request) -> list[dict]:
    from wagtail.models import Locale

    from .models import ProgramPage

    default = Locale.get_default()
    pages = (ProgramPage.objects.live().filter(locale=default)
             .select_related("occupation", "institution", "province").order_by("occupation__code", "pk"))
    english = {p.translation_key: p for p in ProgramPage.objects.live().exclude(locale=default)
               .filter(locale__language_code="en")}
    rows = []
    for page in pages:
        translation = english.get(page.translation_key)
        rows.append({
            "occupation_code": page.occupation.code, "occupation_vi": page.occupation.name_vi,
            "occupation_en": page.occupation.name_en, "level": page.level, "tier": page.tier,
            "institution_code": page.institution.code if page.institution else "",
            "institution_vi": page.institution.name_vi if page.institution else "",
            "institution_en": page.institution.name_en if page.institution else "",
            "institution_type": page.institution_type, "ownership": page.ownership,
            "province_code": page.province.code, "province_vi": page.province.name_vi,
            "approved_on": page.approved_on.isoformat() if page.approved_on else "",
            "url_vi": request.build_absolute_uri(page.url),
            "url_en": request.build_absolute_uri(translation.url) if translation else "",
        })
    return rows


@require_GET
@cache_control(max_age=3600, public=True)
def open_data_programs(request, fmt: str):
    """The published program catalogue as open data (JSON or CSV), under the licence of the settings."""
    import csv
    import io

    from django.conf import settings
    from django.http import Http404, JsonResponse

    if fmt not in ("json", "csv"):
        raise Http404
    licence = {"name": settings.VETTRACK_OPEN_DATA_LICENCE, "url": settings.VETTRACK_OPEN_DATA_LICENCE_URL}
    rows = _open_data_rows(request)
    if fmt == "json":
        return JsonResponse({"licence": licence, "source": "VETtrack", "count": len(rows), "programs": rows},
                            json_dumps_params={"ensure_ascii": False})
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=OPEN_DATA_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="vettrack-programs.csv"'
    response["Link"] = f'<{licence["url"]}>; rel="license"'
    return response
