"""Issuing profiles in the back-office: the numbering formats (validated by the model's `clean()` when saved
through `vet.services.save_registry_object`), an example of each, and the numbers the next diploma will get."""

from __future__ import annotations

from django.utils import timezone
from django.utils.functional import cached_property

from vet.admin_views import RegistryAdminForm, RegistryIndexView, RegistryInspectView

from ..models import IssuingProfile, SerialCounter
from .main_common import PlainSearchMixin, writable_institutions


def example_numbers(profile: IssuingProfile, seq: int = 1, year: int | None = None) -> tuple[str, str]:
    """The serial and register entry the profile's formats give for `seq` in `year` (blank if a format is bad)."""
    values = {
        "institution": profile.institution.code,
        "prefix": profile.prefix,
        "year": year or timezone.localdate().year,
        "seq": seq,
    }
    try:
        return profile.serial_format.format(**values), profile.register_format.format(**values)
    except (KeyError, ValueError, IndexError):
        return "", ""


def example_serial(profile: IssuingProfile) -> str:
    return example_numbers(profile)[0]


def example_register(profile: IssuingProfile) -> str:
    return example_numbers(profile)[1]


class ProfileIndexView(PlainSearchMixin, RegistryIndexView):
    """No "Add" once each of the user's institutions has its profile (there is one per institution)."""

    @cached_property
    def add_url(self):
        url = super().add_url
        if url and not writable_institutions(self.request.user).filter(issuing_profile__isnull=True).exists():
            return None
        return url


class ProfileForm(RegistryAdminForm):
    """A new profile is offered only the institutions that have none yet."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        institution = self.fields.get("institution")
        if institution is not None and not self.instance.institution_id:
            institution.queryset = institution.queryset.filter(issuing_profile__isnull=True)
            only = list(institution.queryset.values_list("pk", flat=True)[:2])
            if len(only) == 1:
                institution.initial = only[0]


class ProfileInspectView(RegistryInspectView):
    """The formats, and the numbers the next diploma of this year will get."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = self.object
        year = timezone.localdate().year
        last = (
            SerialCounter.objects.filter(institution_id=profile.institution_id, year=year)
            .values_list("last_value", flat=True)
            .first()
            or 0
        )
        context["next_year"] = year
        context["next_serial"], context["next_register"] = example_numbers(profile, last + 1, year)
        context["issued_this_year"] = last
        return context
