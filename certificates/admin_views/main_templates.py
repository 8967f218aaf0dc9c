"""Diploma templates in the back-office: edited without code, with a specimen preview.

The preview draws a sample diploma with `services.build_snapshot` from unsaved sample records (nothing is written,
no image is frozen) and `rendering.diploma_html`, marked SPECIMEN. Saving a template raises its version and never
changes an issued diploma: each keeps the data and images frozen in its snapshot."""

from __future__ import annotations

import copy
import datetime
import hashlib
import io
import os

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from curricula.models import Curriculum, CurriculumVersion
from vet import permissions
from vet import services as vet_services
from vet.admin_views import RegistryAdminForm, RegistryEditView, RegistryInspectView
from vet.choices import Level
from vet.downloads import PDF
from vet.models import Institution, Occupation
from vet.permissions import CHANGE, VIEW

from .. import choices, rendering, services
from ..models import Cohort, Diploma, DiplomaTemplate, Enrolment, IssuingProfile, Learner, SerialCounter
from .main_common import snippet_url

IMAGE_FIELDS = ("logo", "signature", "seal")
MAX_IMAGE_BYTES = 5 * 1024 * 1024
KIND_LEVEL = {
    choices.DiplomaKind.ELEMENTARY_CERTIFICATE: Level.ELEMENTARY_3,
    choices.DiplomaKind.INTERMEDIATE_DIPLOMA: Level.INTERMEDIATE,
    choices.DiplomaKind.COLLEGE_DIPLOMA: Level.COLLEGE,
}
# The specimen's holder and program: plainly a sample, with a name of ordinary length.
SAMPLE_LEARNER = {
    "citizen_id": "000000000000",
    "full_name": "Nguyễn Thị Minh Anh",
    "date_of_birth": datetime.date(2005, 9, 2),
    "sex": "female",
    "place_of_birth": "Tiền Giang",
    "ethnicity": "Kinh",
}
SAMPLE_OCCUPATION = {"code": "6520227", "name_vi": "Điện công nghiệp", "name_en": "Industrial Electricity"}
SAMPLE_DECISION = "123/QĐ-MẪU"
# No real code can be this one: "I" is not in the codes' alphabet (services.CODE_ALPHABET).
SPECIMEN_CODE = "SPECIMEN"
SPECIMEN_NUMBER = "MẪU – SPECIMEN"
# Like the printed diploma (rendering.py), the mark is bilingual whatever the reader's language.
SPECIMEN_CSS = (
    "<style>.specimen-banner { position: absolute; left: 0; top: 2mm; width: 297mm; text-align: center;"
    " font-family: 'DejaVu Sans', sans-serif; font-weight: bold; font-size: 8.5pt; color: #1d4ed8; }"
    " .specimen { position: absolute; left: 18mm; top: 76mm; width: 261mm; text-align: center;"
    " transform: rotate(-15deg); font-family: 'DejaVu Sans', sans-serif; font-weight: bold; font-size: 60pt;"
    " line-height: 1.1; color: rgba(29, 78, 216, 0.16); letter-spacing: 5pt; }</style>"
)
SPECIMEN_MARK = (
    '<div class="specimen-banner">BẢN MẪU – KHÔNG CÓ GIÁ TRỊ · SPECIMEN – NOT VALID</div>'
    '<div class="specimen"><div>BẢN MẪU</div><div>SPECIMEN</div></div>'
)
FROZEN_NOTICE = gettext_lazy(
    "Saving a template never changes a diploma already issued: each diploma keeps the wording, signer and "
    "images it was printed with. Changes apply to the diplomas issued afterwards."
)


# ------------------------------------------------------------------------------------------- the form


class PrivateImageInput(forms.ClearableFileInput):
    """An image upload whose current file lives in private storage (no public URL): it is shown through the
    permission-checked image view instead of a link."""

    template_name = "certificates/admin/widgets/private_image_input.html"

    def __init__(self, *args, preview_url: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.preview_url = preview_url

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        initial = self.is_initial(value)
        context["widget"]["preview_url"] = self.preview_url if initial else None
        context["widget"]["filename"] = os.path.basename(value.name) if initial else ""
        return context


def check_image(upload) -> None:
    """Refuse a file the renderer could not draw: not PNG, JPEG or SVG, unreadable, or too big."""
    if upload.size > MAX_IMAGE_BYTES:
        raise forms.ValidationError(
            _("The image is larger than %(size)s MB.") % {"size": MAX_IMAGE_BYTES // 2**20}, code="too_big"
        )
    content = upload.read()
    upload.seek(0)
    try:
        mime = rendering.image_mime(content)
    except ValueError:
        raise forms.ValidationError(_("Use a PNG, JPEG or SVG image."), code="invalid_image") from None
    if mime == "image/svg+xml":
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise forms.ValidationError(
            _("The image cannot be read; save it again as PNG or JPEG."), code="invalid_image"
        ) from None


class DiplomaTemplateForm(RegistryAdminForm):
    """Colour pickers, private image uploads (checked), one template in use per institution and kind."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("primary_color", "accent_color"):
            if name in self.fields:
                self.fields[name].widget = forms.TextInput(
                    attrs={"type": "color", "style": "width: 5rem; height: 2.75rem; padding: 0.2rem"}
                )
        for name in IMAGE_FIELDS:
            if name in self.fields:
                url = snippet_url(DiplomaTemplate, "image", self.instance.pk, name) if self.instance.pk else None
                self.fields[name].widget = PrivateImageInput(
                    preview_url=url, attrs={"accept": "image/png,image/jpeg,image/svg+xml"}
                )
        institution = self.fields.get("institution")
        if institution is not None and not self.instance.institution_id:
            only = list(institution.queryset.values_list("pk", flat=True)[:2])
            if len(only) == 1:
                institution.initial = only[0]

    def _clean_image(self, name):
        value = self.cleaned_data.get(name)
        if value and hasattr(value, "content_type"):  # a new upload, not the stored file
            check_image(value)
        return value

    def clean_logo(self):
        return self._clean_image("logo")

    def clean_signature(self):
        return self._clean_image("signature")

    def clean_seal(self):
        return self._clean_image("seal")

    def clean(self):
        cleaned_data = super().clean()
        institution = cleaned_data.get(
            "institution", self.instance.institution if self.instance.institution_id else None
        )
        kind = cleaned_data.get("kind", self.instance.kind)
        if cleaned_data.get("is_active") and institution is not None:
            other = (
                DiplomaTemplate.objects.filter(institution=institution, kind=kind or "", is_active=True)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if other is not None:
                self.add_error(
                    "is_active",
                    _("The template “%(name)s” is in use for this kind; mark it as not in use first.")
                    % {"name": other.name},
                )
        return cleaned_data


def save_template(user, instance: DiplomaTemplate) -> DiplomaTemplate:
    """A changed template gets the next version (the diplomas issued with the old one keep it); saved through
    `vet.services.save_registry_object`, which checks the permission and the model's rules."""
    if instance.pk is not None:
        old = DiplomaTemplate.objects.select_for_update().filter(pk=instance.pk).first()
        if old is not None and any(
            getattr(old, f.attname) != getattr(instance, f.attname)
            for f in DiplomaTemplate._meta.concrete_fields
            if f.editable and f.name not in ("created_at", "modified_at")
        ):
            instance.version = old.version + 1
    return vet_services.save_registry_object(user=user, instance=instance)


class TemplateEditView(RegistryEditView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["frozen_notice"] = FROZEN_NOTICE
        context["sample_url"] = snippet_url(DiplomaTemplate, "sample", self.object.pk)
        context["issued_count"] = Diploma.objects.filter(template=self.object).count()
        return context

    def get_success_url(self):
        return snippet_url(DiplomaTemplate, "inspect", self.object.pk)


class TemplateInspectView(RegistryInspectView):
    """The template's fields with its images, the diplomas printed with it, and the preview."""

    def get_fields(self):
        return [f for f in super().get_fields() if f not in IMAGE_FIELDS]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template = self.object
        context["images"] = [
            {
                "label": DiplomaTemplate._meta.get_field(name).verbose_name,
                "url": snippet_url(DiplomaTemplate, "image", template.pk, name) if getattr(template, name) else None,
            }
            for name in IMAGE_FIELDS
        ]
        context["frozen_notice"] = FROZEN_NOTICE
        context["issued_count"] = Diploma.objects.filter(template=template).count()
        context["sample_url"] = snippet_url(DiplomaTemplate, "sample", template.pk)
        return context

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(_("Preview"), url=snippet_url(DiplomaTemplate, "sample", self.object.pk), icon_name="view")
        ]


# ---------------------------------------------------------------------------------------------- preview


def get_visible_template(user, pk: int) -> DiplomaTemplate:
    template = get_object_or_404(DiplomaTemplate.objects.select_related("institution__province"), pk=pk)
    if not permissions.has_object_permission(user, VIEW, template):
        raise PermissionDenied
    return template


def _read(field) -> bytes:
    if not field:
        return b""
    try:
        with field.storage.open(field.name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return b""


def sample_kind(template: DiplomaTemplate, wanted: str = "") -> str:
    """The kind the specimen shows: the template's own, else the one asked for, else a college diploma."""
    if template.kind:
        return template.kind
    return wanted if wanted in choices.DiplomaKind.values else choices.DiplomaKind.COLLEGE_DIPLOMA


def sample_snapshot(
    template: DiplomaTemplate, *, kind: str = "", on: datetime.date | None = None
) -> tuple[dict, dict[str, bytes]]:
    """The snapshot a diploma printed with this template would freeze, for a sample graduate of one of the
    institution's programs (or a sample program), and the images it names. Nothing is saved."""
    on = on or timezone.localdate()
    institution = Institution.objects.select_related("province").get(pk=template.institution_id)
    kind = sample_kind(template, kind)
    level = KIND_LEVEL.get(kind, Level.COLLEGE)
    curriculum = (
        Curriculum.objects.filter(institution=institution, level=level)
        .select_related("occupation")
        .order_by("pk")
        .first()
    )
    occupation = curriculum.occupation if curriculum else Occupation(**SAMPLE_OCCUPATION)
    version = CurriculumVersion(
        curriculum=Curriculum(institution=institution, occupation=occupation, level=level),
        decision_number=SAMPLE_DECISION,
    )
    cohort = Cohort(
        curriculum_version=version,
        college_title=(choices.CollegeTitle.PRACTICAL_ENGINEER if kind == choices.DiplomaKind.COLLEGE_DIPLOMA else ""),
    )
    enrolment = Enrolment(
        cohort=cohort,
        learner=Learner(**SAMPLE_LEARNER),
        classification=choices.Classification.VERY_GOOD,
        graduation_decision_number=SAMPLE_DECISION,
        graduation_date=on,
    )
    profile = IssuingProfile.objects.filter(institution=institution).first() or IssuingProfile(institution=institution)
    # The numbers the next diploma would get (never one already printed).
    last = SerialCounter.objects.filter(institution=institution, year=on.year).values_list("last_value", flat=True)
    values = {
        "institution": institution.code,
        "prefix": profile.prefix,
        "year": on.year,
        "seq": (last.first() or 0) + 1,
    }
    # A copy without images: build_snapshot would freeze them (a write); the sample names them itself below.
    unfrozen = copy.copy(template)
    for name in IMAGE_FIELDS:
        setattr(unfrozen, name, "")
    snapshot = services.build_snapshot(
        enrolment=enrolment,
        template=unfrozen,
        code=SPECIMEN_CODE,
        serial=profile.serial_format.format(**values),
        register_number=profile.register_format.format(**values),
        issued_on=on,
        replaces=None,
    )
    images = {}
    for name in IMAGE_FIELDS:
        content = _read(getattr(template, name))
        if content:
            digest = hashlib.sha256(content).hexdigest()
            images[digest] = content
            snapshot["template"][f"{name}_sha256"] = digest
    if kind == choices.DiplomaKind.SKILL_CERTIFICATE:
        snapshot.update(kind=kind, title_vi="", title_en="", skill_level=1)
        snapshot["kind_vi"], snapshot["kind_en"] = choices.KIND_PRINTED[kind]
    return snapshot, images


def specimen_html(snapshot: dict, images: dict[str, bytes]) -> str:
    """The diploma's HTML as `rendering.diploma_html` draws it, marked SPECIMEN across the page."""
    html = rendering.diploma_html(snapshot, images=images)
    return html.replace("</head>", f"{SPECIMEN_CSS}</head>", 1).replace("</section>", f"{SPECIMEN_MARK}</section>")


class TemplateSampleView(WagtailAdminTemplateMixin, TemplateView):
    """The preview page: the specimen in a frame, a PDF link, and what the sample is made of."""

    template_name = "certificates/admin/template_sample.html"
    header_icon = "view"

    def dispatch(self, request, pk):
        self.template = get_visible_template(request.user, pk)
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("Preview")

    def get_page_subtitle(self):
        return str(self.template)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": snippet_url(DiplomaTemplate, "list"),
                "label": DiplomaTemplate._meta.verbose_name_plural.capitalize(),
            },
            {"url": snippet_url(DiplomaTemplate, "inspect", self.template.pk), "label": str(self.template)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template, user = self.template, self.request.user
        kind = sample_kind(template, self.request.GET.get("kind", ""))
        query = f"?kind={kind}" if not template.kind else ""
        context.update(
            template=template,
            kind=kind,
            kinds=choices.DiplomaKind.choices if not template.kind else [],
            frame_url=snippet_url(DiplomaTemplate, "sample_frame", template.pk) + query,
            pdf_url=snippet_url(DiplomaTemplate, "sample_pdf", template.pk) + query,
            edit_url=(
                snippet_url(DiplomaTemplate, "edit", template.pk)
                if permissions.has_object_permission(user, CHANGE, template)
                else None
            ),
            sample_name=SAMPLE_LEARNER["full_name"],
            frozen_notice=FROZEN_NOTICE,
        )
        return context


@xframe_options_sameorigin
def template_sample_frame(request, pk):
    """The specimen as the HTML page the PDF is drawn from (shown in the preview page's frame)."""
    template = get_visible_template(request.user, pk)
    snapshot, images = sample_snapshot(template, kind=request.GET.get("kind", ""))
    return HttpResponse(specimen_html(snapshot, images))


def template_sample_pdf(request, pk):
    """The specimen as PDF, drawn by `rendering.render_diploma_pdf` as a diploma would be; its numbers and
    decision say SPECIMEN (the renderer draws no other mark) and its code verifies nothing."""
    template = get_visible_template(request.user, pk)
    snapshot, images = sample_snapshot(template, kind=request.GET.get("kind", ""))
    snapshot.update(serial=SPECIMEN_NUMBER, register_number=SPECIMEN_NUMBER)
    pdf = rendering.render_diploma_pdf(snapshot, images=images)
    response = HttpResponse(pdf, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="specimen-{template.pk}-v{template.version}.pdf"'
    return response


def template_image(request, pk, field):
    """One of a template's images (private storage), for those who may see the template."""
    if field not in IMAGE_FIELDS:
        raise Http404
    template = get_visible_template(request.user, pk)
    content = _read(getattr(template, field))
    if not content:
        raise Http404(_("This template has no such image."))
    try:
        mime = rendering.image_mime(content)
    except ValueError:
        mime = "application/octet-stream"
    return FileResponse(io.BytesIO(content), content_type=mime)
