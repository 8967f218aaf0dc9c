"""The "Certificates" submenu of the back-office and its screens: diplomas, cohorts, results, learners, diploma
templates, issuing profiles and the classification rules.

The submenu is a `Menu` with the hooks `register_certificates_menu_item` (other modules add their MenuItems:
imports, register book, batches) and `construct_certificates_menu`. The orders of the items registered here leave
room between them: diplomas 100, cohorts 200, results 210, learners 220, diploma templates 500, issuing profiles
510, classification rules 900 (the batches and imports pages use 300, the register book 400).

Every permission decision is `vet.permissions`' (learners, which have no institution, through their enrolments:
`LearnerPermissionPolicy`); every write a service's."""

from __future__ import annotations

from django.urls import path
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from vet.admin_views import (
    RegistryIndexView,
    RegistryPermissionPolicy,
    RegistryViewSet,
    boolean_column,
    forbidden_as_403,
    modified_column,
)

from ..models import ClassificationRule, Cohort, Diploma, DiplomaTemplate, Enrolment, IssuingProfile, Learner
from . import main_diplomas, main_profiles, main_results, main_templates
from .main_common import (
    CONSTRUCT_HOOK,
    MENU_HOOK,
    LearnerPermissionPolicy,
    NoBulkActionsMixin,
    PlainSearchMixin,
    ReadOnlyViewSetMixin,
    TemplateColumn,
    date_column,
)

NOTICE_HTML = '<div class="help-block help-info"><p>{}</p></div>'  # a translated notice in a help panel

# Registered before the viewsets, which would otherwise create Wagtail's default (Django-permission) policies.
for _model in (Cohort, Enrolment, Diploma, DiplomaTemplate, IssuingProfile, ClassificationRule):
    register_permission_policy(_model, RegistryPermissionPolicy(_model), exact_class=True)
register_permission_policy(Learner, LearnerPermissionPolicy(Learner), exact_class=True)


class PlainIndexView(PlainSearchMixin, RegistryIndexView):
    pass


class RuleIndexView(NoBulkActionsMixin, PlainIndexView):
    pass


class CertificatesViewSet(RegistryViewSet):
    """The registry's viewset; the inspect pages leave out the database id and creation time."""

    inspect_view_fields_exclude = ["id", "created_at", "search_text"]


class CohortViewSet(CertificatesViewSet):
    model = Cohort
    icon = "group"
    menu_label = _("Cohorts")
    menu_order = 200
    add_to_reference_index = False
    queryset_selector = staticmethod(main_results.list_cohorts)
    base_form_class = main_results.CohortForm
    index_view_class = main_results.CohortIndexView
    inspect_view_class = main_results.CohortInspectView
    inspect_template_name = "certificates/admin/cohort_inspect.html"
    inspect_view_fields = ["code", "name", "curriculum_version", "intake_year", "grading_scale", "college_title"]
    filterset_class = main_results.CohortFilterSet
    search_fields = [
        "code",
        "name",
        "curriculum_version__curriculum__occupation__code",
        "curriculum_version__curriculum__occupation__name_vi",
    ]
    list_display = [
        "code",
        "name",
        Column("program", label=_("Program"), accessor="curriculum_version.curriculum"),
        Column("institution", label=_("Institution"), accessor="institution"),
        "intake_year",
        "grading_scale",
        modified_column(),
    ]


class EnrolmentViewSet(CertificatesViewSet):
    """The results: one row per learner in a cohort. "Add" enrols a learner (main_results.EnrolView)."""

    model = Enrolment
    icon = "tasks"
    menu_label = _("Results")
    menu_order = 210
    add_to_reference_index = False
    queryset_selector = staticmethod(main_results.list_enrolments)
    base_form_class = main_results.ResultForm
    index_view_class = main_results.EnrolmentIndexView
    edit_view_class = main_results.ResultEditView
    inspect_view_class = main_results.EnrolmentInspectView
    edit_template_name = "certificates/admin/result_edit.html"
    inspect_template_name = "certificates/admin/enrolment_inspect.html"
    save_service = staticmethod(main_results.save_result)
    filterset_class = main_results.EnrolmentFilterSet
    search_fields = ["learner__full_name", "learner__citizen_id", "student_number"]
    list_display = [
        "learner",
        "student_number",
        "cohort",
        "final_score",
        Column("classification", label=_("Classification"), accessor="get_classification_display"),
        boolean_column(Enrolment, "graduated"),
        date_column("graduation_date", _("Graduation decision date")),
        TemplateColumn("issued", "certificates/admin/issued_cell.html", label=_("Diploma")),
    ]

    def get_edit_handler(self):
        panels = [
            HelpPanel(
                content=format_lazy(
                    NOTICE_HTML,
                    _(
                        "The classification is computed from the bands of Circular 04/2022 in force on the "
                        "decision date, one step lower for discipline or retakes where the band says so."
                    ),
                )
            ),
            MultiFieldPanel(
                [
                    FieldPanel("final_score"),
                    FieldRowPanel(
                        [FieldPanel("all_credits_completed"), FieldPanel("disciplined"), FieldPanel("retaken_modules")]
                    ),
                ],
                heading=_("Final result"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("graduation_decision_number"), FieldPanel("graduation_date")]),
                    FieldRowPanel(
                        [FieldPanel("classification", read_only=True), FieldPanel("graduated", read_only=True)]
                    ),
                ],
                heading=_("Graduation decision"),
            ),
        ]
        return ObjectList(panels, base_form_class=self.base_form_class).bind_to_model(self.model)

    def get_urlpatterns(self):
        patterns = [p for p in super().get_urlpatterns() if p.name != "add"]
        return [path("add/", forbidden_as_403(main_results.EnrolView.as_view()), name="add"), *patterns]


class LearnerViewSet(ReadOnlyViewSetMixin, CertificatesViewSet):
    model = Learner
    icon = "user"
    menu_label = _("Learners")
    menu_order = 220
    index_view_class = main_results.LearnerIndexView
    inspect_view_class = main_results.LearnerInspectView
    inspect_template_name = "certificates/admin/learner_inspect.html"
    index_template_name = "certificates/admin/learner_index.html"
    search_fields = ["full_name", "citizen_id"]
    list_display = [
        "full_name",
        "citizen_id",
        date_column("date_of_birth", _("Date of birth")),
        "sex",
        "place_of_birth",
        modified_column(),
    ]
    list_filter = ["sex"]


class DiplomaViewSet(ReadOnlyViewSetMixin, CertificatesViewSet):
    model = Diploma
    icon = "doc-full"
    menu_label = _("Diplomas")
    menu_order = 100
    queryset_selector = staticmethod(main_diplomas.list_diplomas)
    index_view_class = main_diplomas.DiplomaIndexView
    inspect_view_class = main_diplomas.DiplomaInspectView
    inspect_template_name = "certificates/admin/diploma_inspect.html"
    filterset_class = main_diplomas.DiplomaFilterSet
    search_fields = [
        "serial",
        "register_number",
        "code",
        "enrolment__learner__full_name",
        "enrolment__learner__citizen_id",
    ]
    list_display = [
        "serial",
        Column("holder", label=_("Holder"), accessor=main_diplomas.holder_name),
        Column("kind", label=_("Kind"), accessor="get_kind_display", sort_key="kind"),
        date_column("issued_on", _("Issued on")),
        TemplateColumn("status", "certificates/admin/status_cell.html", label=_("Status"), sort_key="status"),
        Column("institution", label=_("Institution"), accessor="institution"),
    ]
    list_per_page = 50

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("pdf/<int:pk>/", forbidden_as_403(main_diplomas.diploma_pdf), name="pdf"),
            path("revoke/<int:pk>/", forbidden_as_403(main_diplomas.RevokeView.as_view()), name="revoke"),
            path("reissue/<int:pk>/", forbidden_as_403(main_diplomas.ReissueView.as_view()), name="reissue"),
        ]


class DiplomaTemplateViewSet(CertificatesViewSet):
    model = DiplomaTemplate
    icon = "image"
    menu_label = _("Diploma templates")
    menu_order = 500
    index_view_class = PlainIndexView
    base_form_class = main_templates.DiplomaTemplateForm
    save_service = staticmethod(main_templates.save_template)
    edit_view_class = main_templates.TemplateEditView
    inspect_view_class = main_templates.TemplateInspectView
    edit_template_name = "certificates/admin/template_edit.html"
    create_template_name = "certificates/admin/template_create.html"
    inspect_template_name = "certificates/admin/template_inspect.html"
    search_fields = ["name", "signer_name", "institution__name_vi"]
    list_display = [
        "name",
        "institution",
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        "version",
        boolean_column(DiplomaTemplate, "is_active"),
        modified_column(),
    ]
    list_filter = ["kind", "is_active"]

    @staticmethod
    def queryset_selector():
        return DiplomaTemplate.objects.select_related("institution")

    def get_edit_handler(self):
        panels = [
            HelpPanel(content=format_lazy(NOTICE_HTML, main_templates.FROZEN_NOTICE)),
            MultiFieldPanel(
                [
                    FieldPanel("institution"),
                    FieldRowPanel([FieldPanel("kind"), FieldPanel("name")]),
                    FieldPanel("is_active"),
                ],
                heading=_("Template"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("signer_title_vi"), FieldPanel("signer_title_en")]),
                    FieldPanel("signer_name"),
                    FieldRowPanel([FieldPanel("signature"), FieldPanel("seal")]),
                ],
                heading=_("Signer"),
            ),
            MultiFieldPanel(
                [FieldPanel("logo"), FieldRowPanel([FieldPanel("primary_color"), FieldPanel("accent_color")])],
                heading=_("Look"),
            ),
            MultiFieldPanel(
                [FieldPanel("wording_vi"), FieldPanel("wording_en")],
                heading=_("Extra wording"),
                help_text=_("One line printed under the holder's details, e.g. a joint program."),
            ),
        ]
        return ObjectList(panels, base_form_class=self.base_form_class).bind_to_model(self.model)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("sample/<int:pk>/", forbidden_as_403(main_templates.TemplateSampleView.as_view()), name="sample"),
            path("sample/<int:pk>/frame/", forbidden_as_403(main_templates.template_sample_frame), name="sample_frame"),
            path("sample/<int:pk>/pdf/", forbidden_as_403(main_templates.template_sample_pdf), name="sample_pdf"),
            path("image/<int:pk>/<str:field>/", forbidden_as_403(main_templates.template_image), name="image"),
        ]


class IssuingProfileViewSet(CertificatesViewSet):
    model = IssuingProfile
    icon = "list-ol"
    menu_label = _("Issuing profiles")
    menu_order = 510
    index_view_class = main_profiles.ProfileIndexView
    base_form_class = main_profiles.ProfileForm
    inspect_view_class = main_profiles.ProfileInspectView
    inspect_template_name = "certificates/admin/profile_inspect.html"
    search_fields = ["institution__name_vi", "institution__code", "prefix"]
    list_display = [
        "institution",
        "prefix",
        "serial_format",
        Column("example_serial", label=_("Example serial"), accessor=main_profiles.example_serial),
        "register_format",
        Column("example_register", label=_("Example register entry"), accessor=main_profiles.example_register),
        modified_column(),
    ]

    @staticmethod
    def queryset_selector():
        return IssuingProfile.objects.select_related("institution")


def rule_in_force(rule) -> str:
    """A classification rule's dates in force, "from – to", or "—" when it has none (in force until replaced)."""
    if rule.effective_from is None and rule.effective_to is None:
        return "—"
    start = date_format(rule.effective_from, "SHORT_DATE_FORMAT") if rule.effective_from else "…"
    end = date_format(rule.effective_to, "SHORT_DATE_FORMAT") if rule.effective_to else "…"
    return f"{start} – {end}"


class ClassificationRuleViewSet(CertificatesViewSet):
    """The graduation classification bands (Circular 04/2022) as data: read by everyone, edited by
    administrators; an unconfirmed value is marked until checked against its source (DOMAIN.md §0)."""

    model = ClassificationRule
    icon = "cogs"
    menu_label = _("Classification rules")
    menu_order = 900
    index_view_class = RuleIndexView
    index_template_name = "certificates/admin/rule_index.html"
    edit_template_name = "certificates/admin/rule_edit.html"
    search_fields = ["note", "source__number"]
    list_display = [
        Column("scale", label=_("Grading scale"), accessor="get_scale_display", sort_key="scale"),
        Column("classification", label=_("Classification"), accessor="get_classification_display"),
        "min_score",
        "max_score",
        TemplateColumn(
            "confirmed", "certificates/admin/confirmed_cell.html", label=_("Confirmed"), sort_key="confirmed"
        ),
        boolean_column(ClassificationRule, "graduates", _("Meets the graduation score")),
        boolean_column(ClassificationRule, "downgrades", _("Drops one step")),
        "source",
        Column("in_force", label=_("In force"), accessor=rule_in_force),
    ]
    list_filter = ["scale", "confirmed"]
    list_per_page = 50

    @staticmethod
    def queryset_selector():
        return ClassificationRule.objects.select_related("source")


class CertificatesViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Certificates")
    menu_icon = "doc-full-inverse"
    menu_name = "certificates"
    menu_order = 230  # after the curricula (210) and skill standards (220), before accreditation (240)
    submenu_hook = MENU_HOOK
    items = (
        DiplomaViewSet,
        CohortViewSet,
        EnrolmentViewSet,
        LearnerViewSet,
        DiplomaTemplateViewSet,
        IssuingProfileViewSet,
        ClassificationRuleViewSet,
    )

    def get_menu_item(self, order=None):
        # As Wagtail's group, with the construct hook too.
        return SubmenuMenuItem(
            label=self.menu_label,
            menu=Menu(register_hook_name=MENU_HOOK, construct_hook_name=CONSTRUCT_HOOK, items=self.get_submenu_items()),
            name=self.menu_name,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
        )


register_snippet(CertificatesViewSetGroup)
