"""Issued diplomas in the back-office: the list, the diploma page (printed data, register entries, PDF,
verification) and the revocation and re-issue forms, each one call of `services.revoke_diploma` or
`services.reissue_diploma`. A diploma is never added, edited or deleted through a generic form."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from vet import permissions
from vet.admin_views import RegistryIndexView, RegistryInspectView
from vet.admin_views.forms import add_service_errors
from vet.permissions import CHANGE, VIEW

from .. import choices, services
from ..models import Cohort, Diploma, Enrolment, Learner, RegisterEntry
from .main_common import NoBulkActionsMixin, PlainSearchMixin, institution_filter, snippet_url

DATE = forms.DateInput(attrs={"type": "date"})


def list_diplomas():
    """Diplomas with their institution and learner joined (the list names both)."""
    return Diploma.objects.select_related("institution", "enrolment__learner").order_by("-issued_on", "-pk")


def holder_name(diploma: Diploma) -> str:
    return diploma.snapshot.get("holder", {}).get("full_name", "")


def get_visible_diploma(user, pk: int, action: str = VIEW) -> Diploma:
    diploma = get_object_or_404(Diploma.objects.select_related("institution"), pk=pk)
    if not permissions.has_object_permission(user, action, diploma):
        raise PermissionDenied
    return diploma


class DiplomaFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=choices.DiplomaStatus.choices)
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=choices.DiplomaKind.choices)
    year = django_filters.ChoiceFilter(label=gettext_lazy("Year"), choices=[])
    institution = institution_filter(Diploma, "institution")

    class Meta:
        model = Diploma
        fields = ["status", "kind", "year", "institution"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The years in which the user's institutions issued diplomas, newest first.
        rows = permissions.scope_queryset(self.request.user, Diploma.objects.all(), VIEW) if self.request else None
        years = rows.order_by("-year").values_list("year", flat=True).distinct() if rows is not None else []
        self.filters["year"].extra["choices"] = [(year, str(year)) for year in years]


class DiplomaIndexView(NoBulkActionsMixin, PlainSearchMixin, RegistryIndexView):
    """Diplomas the user may see; search by serial, register entry, verification code, name or citizen ID."""


def printed_rows(snapshot: dict) -> list[tuple[str, str]]:
    """The snapshot's printed facts as (label, value) rows, both languages where the diploma prints both."""
    s = snapshot
    holder, occupation, institution = s.get("holder", {}), s.get("occupation", {}), s.get("institution", {})
    graduation, signer = s.get("graduation", {}), s.get("signer", {})

    def both(vi: str, en: str) -> str:
        return vi if not en or en == vi else f"{vi} / {en}"

    def day(iso: str) -> str:
        parsed = parse_date(iso or "")
        return date_format(parsed, "SHORT_DATE_FORMAT") if parsed else "—"

    rows = [
        (_("Document"), both(s.get("kind_vi", ""), s.get("kind_en", ""))),
        (_("Institution"), both(institution.get("name_vi", ""), institution.get("name_en", ""))),
        (_("Holder"), holder.get("full_name", "")),
        (_("Date of birth"), day(holder.get("date_of_birth", ""))),
        (_("Sex"), both(holder.get("sex_vi", ""), holder.get("sex_en", ""))),
        (_("Place of birth"), holder.get("place_of_birth", "")),
        (_("Ethnicity"), holder.get("ethnicity", "")),
        (
            _("Occupation"),
            f"{occupation.get('code', '')} · " + both(occupation.get("name_vi", ""), occupation.get("name_en", "")),
        ),
        (_("Level"), both(s.get("level_vi", ""), s.get("level_en", ""))),
    ]
    if s.get("title_vi"):
        rows.append((_("Title conferred"), both(s["title_vi"], s.get("title_en", ""))))
    if s.get("classification_vi"):
        rows.append((_("Classification"), both(s["classification_vi"], s.get("classification_en", ""))))
    if s.get("high_quality"):
        rows.append((_("High-quality program"), _("Yes")))
    rows += [
        (_("Graduation decision"), f"{graduation.get('decision_number', '')} · {day(graduation.get('date', ''))}"),
        (_("Serial (số hiệu)"), s.get("serial", "")),
        (_("Register entry (số vào sổ gốc)"), s.get("register_number", "")),
        (_("Place and date printed"), f"{s.get('place_vi', '')}, {day(s.get('issued_on', ''))}"),
        (_("Signer"), f"{both(signer.get('title_vi', ''), signer.get('title_en', ''))} · {signer.get('name', '')}"),
        (_("Template version"), str(s.get("template", {}).get("version", "—"))),
    ]
    if s.get("is_reissue"):
        rows.append((_("Re-issue of serial"), s.get("reissue_of_serial", "")))
    return rows


class DiplomaInspectView(RegistryInspectView):
    """The diploma page: status, printed data (frozen), register entries, PDF, verification, revoke, re-issue."""

    def get_fields(self):
        return [
            "serial",
            "register_number",
            "code",
            "kind",
            "status",
            "institution",
            "issued_on",
            "issued_by",
            "pdf_sha256",
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        diploma, user = self.object, self.request.user
        enrolment = Enrolment.objects.select_related("learner", "cohort").get(pk=diploma.enrolment_id)
        replacement = Diploma.objects.filter(replaces=diploma).only("pk", "serial").first()
        may_change = permissions.has_object_permission(user, CHANGE, diploma)
        valid = diploma.status == choices.DiplomaStatus.VALID
        context.update(
            diploma=diploma,
            printed=printed_rows(diploma.snapshot),
            # Its own entries, and the re-issue entry of the diploma that replaced it (which carries the reason).
            entries=list(
                RegisterEntry.objects.filter(
                    Q(diploma=diploma) | Q(diploma__replaces=diploma, action=choices.RegisterAction.REISSUE)
                )
                .select_related("diploma")
                .order_by("position")
            ),
            pdf_url=snippet_url(Diploma, "pdf", diploma.pk) if diploma.pdf else None,
            verify_url=reverse("certificates:verify", args=(diploma.code,)),
            printed_verify_url=diploma.snapshot.get("verification_url", ""),
            revoke_url=snippet_url(Diploma, "revoke", diploma.pk) if may_change and valid else None,
            reissue_url=snippet_url(Diploma, "reissue", diploma.pk) if may_change and valid else None,
            replacement=replacement,
            replacement_url=snippet_url(Diploma, "inspect", replacement.pk) if replacement else None,
            replaces_url=snippet_url(Diploma, "inspect", diploma.replaces_id) if diploma.replaces_id else None,
            enrolment=enrolment,
            learner_url=snippet_url(Learner, "inspect", enrolment.learner_id),
            cohort_url=snippet_url(Cohort, "inspect", enrolment.cohort_id),
        )
        return context


def diploma_pdf(request, pk):
    """The stored PDF/A of the diploma (a revoked one carries the REVOKED mark), for those who may see it."""
    diploma = get_visible_diploma(request.user, pk)
    if not diploma.pdf:
        raise Http404(_("This diploma has no stored PDF."))
    try:
        handle = diploma.pdf.storage.open(diploma.pdf.name, "rb")
    except FileNotFoundError as exc:
        raise Http404(_("The stored file is missing.")) from exc
    return FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=f"{diploma.code}.pdf")


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Written into the register (sổ gốc), e.g. the number and date of the revocation decision and why."
        ),
    )


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Written into the register (sổ gốc), e.g. lost, damaged, or corrected data."),
    )
    issued_on = forms.DateField(
        label=gettext_lazy("Issued on"), widget=DATE, required=False, help_text=gettext_lazy("Empty: today.")
    )


class DiplomaActionView(WagtailAdminTemplateMixin, FormView):
    """A form with a required reason, then one service call; its refusal is shown on the form."""

    template_name = "certificates/admin/diploma_action.html"
    header_icon = "warning"
    title = ""
    explanation = ""
    submit_label = ""

    def dispatch(self, request, pk):
        self.diploma = get_visible_diploma(request.user, pk, CHANGE)
        return super().dispatch(request, pk)

    def get_page_title(self):
        return self.title

    def get_page_subtitle(self):
        return str(self.diploma)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": snippet_url(Diploma, "list"), "label": Diploma._meta.verbose_name_plural.capitalize()},
            {"url": snippet_url(Diploma, "inspect", self.diploma.pk), "label": str(self.diploma)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            diploma=self.diploma,
            explanation=self.explanation,
            submit_label=self.submit_label,
            not_valid=self.diploma.status != choices.DiplomaStatus.VALID,
            inspect_url=snippet_url(Diploma, "inspect", self.diploma.pk),
            holder=holder_name(self.diploma),
        )
        return context

    def form_valid(self, form):
        try:
            result = self.act(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        return redirect(snippet_url(Diploma, "inspect", result.pk))


class RevokeView(DiplomaActionView):
    form_class = RevokeForm
    title = gettext_lazy("Revoke the diploma")
    submit_label = gettext_lazy("Revoke")
    explanation = gettext_lazy(
        "The diploma stays in the register, marked revoked with your reason; its verification page and its PDF "
        "will say REVOKED. This cannot be undone."
    )

    def act(self, data) -> Diploma:
        diploma = services.revoke_diploma(user=self.request.user, diploma=self.diploma, reason=data["reason"])
        messages.success(self.request, _("Diploma %(serial)s is revoked.") % {"serial": diploma.serial})
        return diploma


class ReissueView(DiplomaActionView):
    form_class = ReissueForm
    title = gettext_lazy("Re-issue the diploma")
    submit_label = gettext_lazy("Re-issue")
    header_icon = "resubmit"
    explanation = gettext_lazy(
        "A new diploma with the same printed data, a new serial and a new register entry is issued, marked as a "
        "re-issue of this one. This one becomes “re-issued” and its verification page points to the new one."
    )

    def get_initial(self):
        return {"issued_on": timezone.localdate()}

    def act(self, data) -> Diploma:
        new = services.reissue_diploma(
            user=self.request.user, diploma=self.diploma, reason=data["reason"], issued_on=data.get("issued_on") or None
        )
        messages.success(
            self.request,
            _("Diploma %(old)s is re-issued as %(new)s.") % {"old": self.diploma.serial, "new": new.serial},
        )
        return new
