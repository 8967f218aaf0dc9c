"""The evidence library in the back-office: a scoped list with an expiry filter, a create form taking a file or a
link, the evidence page (metadata, every version, a form for the next version, where it is cited) and the
permission-checked download. Every write goes through `vet.services_evidence`."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.log_actions import log

from .. import permissions, services_evidence
from ..models import Evidence, EvidenceVersion, Institution, SelfAssessmentRating
from ..permissions import VIEW
from .forms import RegistryAdminForm
from .views import RegistryCreateView, RegistryInspectView

EXPIRING_DAYS = 60


class ExpiryFilter(django_filters.ChoiceFilter):
    def filter(self, queryset, value):
        today = timezone.localdate()
        if value == "expired":
            return queryset.filter(expires_on__lt=today)
        if value == "expiring":
            return queryset.filter(expires_on__gte=today, expires_on__lte=today + datetime.timedelta(EXPIRING_DAYS))
        return queryset


class EvidenceFilterSet(WagtailFilterSet):
    expiry = ExpiryFilter(
        label=_("Expiry"),
        choices=[("expired", _("Expired")), ("expiring", _("Expiring within 60 days"))],
        empty_label=_("Any"),
    )

    class Meta:
        model = Evidence
        fields = ["institution"]


def expiry_label(evidence: Evidence) -> str:
    """The expiry date as a date (not "2 weeks ago"), marked when expired or expiring within 60 days."""
    if evidence.expires_on is None:
        return "—"
    day = date_format(evidence.expires_on, "SHORT_DATE_FORMAT")
    today = timezone.localdate()
    if evidence.expires_on < today:
        return _("%(day)s · expired") % {"day": day}
    if evidence.expires_on <= today + datetime.timedelta(EXPIRING_DAYS):
        return _("%(day)s · expiring soon") % {"day": day}
    return day


def _writable_institutions(user):
    roles = permissions.get_roles(user)
    if roles.is_admin:
        return Institution.objects.all()
    return Institution.objects.filter(pk__in=roles.institution_ids)


class EvidenceForm(RegistryAdminForm):
    """Metadata; on creation also version 1, a file or a link."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        institution = self.fields.get("institution")
        if institution is not None:
            institution.queryset = _writable_institutions(self.for_user)
            choices = list(institution.queryset.values_list("pk", flat=True)[:2])
            if len(choices) == 1 and not self.instance.institution_id:
                institution.initial = choices[0]  # a school's staff: their own school, preselected
        file = self.fields.get("file")
        if file is not None:
            file.help_text = _("Accepted types: %(types)s; at most %(size)s MB. Or give a link below.") % {
                "types": ", ".join(services_evidence.allowed_extensions()),
                "size": services_evidence.megabytes(settings.VET_EVIDENCE_MAX_BYTES),
            }


class EvidenceCreateForm(EvidenceForm):
    file = forms.FileField(label=_("File"), required=False)
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("file") and cleaned_data.get("url"):
            self.add_error("url", _("Give either a file or a link, not both."))
        elif not cleaned_data.get("file") and not cleaned_data.get("url") and not self.errors.get("file"):
            self.add_error("file", _("Give a file or a link."))
        return cleaned_data


class EvidenceCreateView(RegistryCreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        with transaction.atomic():
            evidence = services_evidence.add_evidence(
                self.request.user,
                **{name: data.get(name) for name in ("institution", "code", "title", "period_start", "period_end",
                                                     "expires_on")},
                owner=data.get("owner") or "", file=data.get("file") or None, url=data.get("url") or None,
                note=data.get("note") or "",
            )
            log(instance=evidence, action=self.log_action, user=self.request.user)
        return evidence


def save_evidence_metadata(user, instance: Evidence) -> Evidence:
    return services_evidence.update_evidence(
        user, instance, **{name: getattr(instance, name) for name in services_evidence.METADATA_FIELDS}
    )


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"), required=False)
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class EvidenceInspectView(RegistryInspectView):
    """Metadata, every version (newest first), the form for the next version, and the standards citing it."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evidence = self.object
        user = self.request.user
        viewset = Evidence.snippet_viewset
        versions = list(evidence.versions.select_related("uploaded_by").order_by("-number"))
        for version in versions:
            version.download_url = reverse(viewset.get_url_name("download"), args=(evidence.pk, version.number))
        context["versions"] = versions
        context["can_add_version"] = permissions.has_object_permission(
            user, permissions.ADD, EvidenceVersion(evidence=evidence)
        )
        context["version_form"] = kwargs.get("version_form") or VersionForm()
        context["add_version_url"] = reverse(viewset.get_url_name("add_version"), args=(evidence.pk,))
        context["uses"] = (
            permissions.scope_queryset(user, SelfAssessmentRating.objects.filter(evidence=evidence), VIEW)
            .select_related("self_assessment__institution", "self_assessment__framework", "standard__criterion")
            .order_by("-self_assessment__year", "standard__criterion__number", "standard__code")
        )
        today = timezone.localdate()
        context["is_expired"] = evidence.is_expired_on(today)
        context["is_expiring"] = not context["is_expired"] and evidence.expires_on is not None and (
            evidence.expires_on <= today + datetime.timedelta(EXPIRING_DAYS)
        )
        return context


@require_POST
def add_version_view(request, pk):
    evidence = get_object_or_404(permissions.scope_queryset(request.user, Evidence.objects.all(), VIEW), pk=pk)
    form = VersionForm(request.POST, request.FILES)
    inspect_url = reverse(Evidence.snippet_viewset.get_url_name("inspect"), args=(pk,))
    if form.is_valid():
        try:
            version = services_evidence.add_evidence_version(
                request.user, evidence, file=form.cleaned_data["file"] or None,
                url=form.cleaned_data["url"] or None, note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            log(instance=evidence, action="wagtail.edit", user=request.user)
            messages.success(request, _("Version %(number)s added.") % {"number": version.number})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(inspect_url)


def download_view(request, pk, number):
    evidence = get_object_or_404(Evidence, pk=pk)
    try:
        version = services_evidence.version_for_download(request.user, evidence, number)
    except EvidenceVersion.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    return version_response(version)


def version_response(version: EvidenceVersion):
    """The stored file as an attachment with its recorded type; a link version redirects to the link."""
    if not version.file:
        return HttpResponseRedirect(version.url)
    try:
        handle = version.file.storage.open(version.file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404(_("The stored file is missing.")) from exc
    return FileResponse(
        handle, as_attachment=True, filename=version.original_name or None,
        content_type=version.content_type or "application/octet-stream",
    )


def evidence_queryset():
    return (
        Evidence.objects.select_related("institution")
        .annotate(version_count=Count("versions"))
        .order_by("institution__name_vi", "code")
    )
