"""Batch issuing in the admin: choose a cohort, read the validation report, issue, follow the progress, download.

The pages call certificates.batches; the progress page polls a small JSON view while the workers issue."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from vet import permissions
from vet.admin_views import forbidden_as_403

from .. import batches, choices, services
from ..models import Cohort, IssueBatch

PAGE_SIZE = 50


def _batches_for(user):
    return permissions.scope_queryset(user, IssueBatch.objects.all()).select_related(
        "institution", "cohort__curriculum_version__curriculum__occupation", "created_by")


def _cohorts_for(user):
    cohorts = Cohort.objects.select_related("curriculum_version__curriculum__occupation",
                                            "curriculum_version__curriculum__institution")
    return permissions.scope_queryset(user, cohorts, permissions.CHANGE).order_by("-intake_year", "code")


class PrepareForm(forms.Form):
    cohort = forms.ModelChoiceField(label=gettext_lazy("Cohort"), queryset=Cohort.objects.none())
    issued_on = forms.DateField(label=gettext_lazy("Issue date"), widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=gettext_lazy("Printed on every diploma of the batch."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = _cohorts_for(user)


def index(request):
    if not permissions.has_permission(request.user, permissions.VIEW, IssueBatch):
        raise PermissionDenied
    rows = list(_batches_for(request.user)[:PAGE_SIZE])
    can_add = permissions.has_permission(request.user, permissions.ADD, IssueBatch)
    return render(request, "certificates/admin/batches/index.html", {
        "title": _("Issuing batches"), "batches": rows, "can_add": can_add,
    })


def prepare(request):
    if not permissions.has_permission(request.user, permissions.ADD, IssueBatch):
        raise PermissionDenied
    initial = {"issued_on": timezone.localdate(), "cohort": request.GET.get("cohort")}
    form = PrepareForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            batch = batches.prepare_batch(user=request.user, cohort=form.cleaned_data["cohort"],
                                          issued_on=form.cleaned_data["issued_on"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("certificates_batch", pk=batch.pk)
    return render(request, "certificates/admin/batches/prepare.html", {
        "title": _("Issue a cohort's diplomas"), "form": form,
    })


def _batch_or_404(request, pk: int) -> IssueBatch:
    batch = get_object_or_404(_batches_for(request.user), pk=pk)
    return batch


def detail(request, pk: int):
    batch = _batch_or_404(request, pk)
    items = batch.items.select_related("enrolment__learner", "diploma").order_by("pk")
    groups = {outcome: [] for outcome in choices.BatchItemOutcome.values}
    for item in items:
        item.reason_texts = [services.refusal_message(r.get("code", ""), r.get("message", "")) for r in item.reasons]
        groups[item.outcome].append(item)
    order = [choices.BatchItemOutcome.FAILED, choices.BatchItemOutcome.REFUSED, choices.BatchItemOutcome.READY,
             choices.BatchItemOutcome.ISSUED, choices.BatchItemOutcome.ALREADY_ISSUED]
    sections = [{"outcome": o, "label": choices.BatchItemOutcome(o).label, "items": groups[o]} for o in order
                if groups[o]]
    can_start = (batch.status == choices.BatchStatus.VALIDATED and batch.total
                 and permissions.has_object_permission(request.user, permissions.CHANGE, batch))
    can_resume = (permissions.has_object_permission(request.user, permissions.CHANGE, batch) and (
        batch.status in (choices.BatchStatus.QUEUED, choices.BatchStatus.RUNNING, choices.BatchStatus.ASSEMBLING)
        or (batch.status == choices.BatchStatus.DONE and batch.archive and not batch.print_pdf)))
    return render(request, "certificates/admin/batches/detail.html", {
        "title": _("Issuing batch"), "batch": batch, "summary": batches.batch_summary(batch),
        "sections": sections, "can_start": can_start, "can_resume": can_resume,
        "running": batch.status in (choices.BatchStatus.QUEUED, choices.BatchStatus.RUNNING,
                                    choices.BatchStatus.ASSEMBLING),
    })


@require_POST
def start(request, pk: int):
    batch = _batch_or_404(request, pk)
    try:
        batches.start_batch(user=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Issuing has started; this page shows the progress."))
    return redirect("certificates_batch", pk=batch.pk)


@require_POST
def resume(request, pk: int):
    batch = _batch_or_404(request, pk)
    try:
        batches.resume_batch(user=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("What was left of the batch is queued again; nothing is issued twice."))
    return redirect("certificates_batch", pk=batch.pk)


def progress(request, pk: int):
    batch = _batch_or_404(request, pk)
    summary = batches.batch_summary(batch)
    summary["finished"] = batch.status in (choices.BatchStatus.DONE, choices.BatchStatus.FAILED)
    return JsonResponse(summary)


def download(request, pk: int, kind: str):
    batch = _batch_or_404(request, pk)
    field = {"zip": batch.archive, "print": batch.print_pdf}.get(kind)
    if not field:
        raise Http404(_("The downloads of this batch are not ready."))
    stamp = datetime.date.isoformat(batch.issued_on)
    name = f"diplomas-{batch.cohort.code}-{stamp}.zip" if kind == "zip" else f"diplomas-{batch.cohort.code}-{stamp}.pdf"
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)


@hooks.register("register_admin_urls")
def register_batch_urls():
    return [
        path("certificates/batches/", forbidden_as_403(index), name="certificates_batches"),
        path("certificates/batches/new/", forbidden_as_403(prepare), name="certificates_batch_prepare"),
        path("certificates/batches/<int:pk>/", forbidden_as_403(detail), name="certificates_batch"),
        path("certificates/batches/<int:pk>/start/", forbidden_as_403(start), name="certificates_batch_start"),
        path("certificates/batches/<int:pk>/resume/", forbidden_as_403(resume), name="certificates_batch_resume"),
        path("certificates/batches/<int:pk>/progress/", forbidden_as_403(progress),
             name="certificates_batch_progress"),
        path("certificates/batches/<int:pk>/download/<str:kind>/", forbidden_as_403(download),
             name="certificates_batch_download"),
    ]


class BatchMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.has_permission(request.user, permissions.VIEW, IssueBatch)


@hooks.register("register_certificates_menu_item")
def register_batch_menu_item():
    return BatchMenuItem(_("Issuing batches"), reverse("certificates_batches"), name="certificates-batches",
                         icon_name="doc-full-inverse", order=300)
