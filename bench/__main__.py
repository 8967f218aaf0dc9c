"""Benchmarks: each prints the time of VETtrack's way and of a naive baseline in the same run, and their
ratio. Run with `make bench`. Uses a throw-away test database (SQLite by default, or DATABASE_URL)."""

import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

N_INSTITUTIONS = 400
REPEAT = 5


def _timed(fn) -> float:
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _report(name: str, ours: float, naive: float) -> None:
    print(f"{name:<58} ours {ours * 1000:8.1f} ms   naive {naive * 1000:8.1f} ms   speed-up ×{naive / ours:5.1f}")


def _populate():
    from tests import factories

    provinces = [factories.ProvinceFactory() for _ in range(8)]
    authorities = [factories.AuthorityFactory(province=p) for p in provinces]
    names = ["Điện công nghiệp", "Công nghệ ô tô", "Cơ điện tử", "Hàn", "Quản trị khách sạn", "Kế toán doanh nghiệp"]
    for i in range(N_INSTITUTIONS):
        factories.InstitutionFactory(
            province=provinces[i % 8], managing_authority=authorities[i % 8],
            name_vi=f"Trường Cao đẳng {names[i % len(names)]} số {i}",
        )


def bench_api_list():
    """List 200 institutions through the API: joins set once (ours) vs lazy per-row lookups (naive)."""
    from rest_framework.test import APIClient

    from vet.api import views
    from vet.models import Institution

    client = APIClient()

    def ours():
        assert client.get("/api/v1/institutions/", {"page_size": 200}).status_code == 200

    original = views.InstitutionViewSet.__dict__["select"]
    views.InstitutionViewSet.select = staticmethod(lambda: Institution.objects.all())

    def naive():
        assert client.get("/api/v1/institutions/", {"page_size": 200}).status_code == 200

    naive_time = _timed(naive)
    views.InstitutionViewSet.select = original
    _report("API list of 200 institutions (select_related vs N+1)", _timed(ours), naive_time)


def bench_search():
    """Free text without diacritics: indexed folded column in SQL (ours) vs folding every row in Python."""
    from vet.models import Institution
    from vet.text import fold

    def ours():
        return list(Institution.objects.filter(search_text__contains="dien cong nghiep").values_list("pk", flat=True))

    def naive():
        return [i.pk for i in Institution.objects.all() if "dien cong nghiep" in fold(i.name_vi)]

    assert sorted(ours()) == sorted(naive())
    _report("search 'dien cong nghiep' among institutions", _timed(ours), _timed(naive))


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _populate()
        print(f"VETtrack benchmarks on {connection.vendor}, {N_INSTITUTIONS} institutions, median of {REPEAT}")
        bench_api_list()
        bench_search()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
