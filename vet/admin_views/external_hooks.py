"""URLs and menu items of the external assessment, action item and campaign pages (vet.admin_views.external):
under the "Accreditation" menu, and the overdue report under "Reports"."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .. import permissions
from . import external
from .policy import forbidden_as_403


@hooks.register("register_admin_urls")
def register_external_admin_urls():
    def view(cls):
        return forbidden_as_403(cls.as_view())

    return [
        path("accreditation/external/", view(external.ExternalAssessmentListView), name="vet_external_list"),
        path("accreditation/external/<int:pk>/", view(external.ExternalAssessmentView), name="vet_external_detail"),
        path("accreditation/self-assessments/<int:pk>/assess/", view(external.StartExternalAssessmentView),
             name="vet_external_start"),
        path("accreditation/action-items/", view(external.ActionItemListView), name="vet_action_items"),
        path("accreditation/action-items/add/", view(external.ActionItemEditView), name="vet_action_item_add"),
        path("accreditation/action-items/<int:pk>/", view(external.ActionItemEditView),
             name="vet_action_item_edit"),
        path("reports/overdue-action-items/", view(external.OverdueReportView), name="vet_overdue_report"),
        path("accreditation/campaigns/", view(external.CampaignListView), name="vet_campaigns"),
        path("accreditation/campaigns/add/", view(external.CampaignCreateView), name="vet_campaign_add"),
        path("accreditation/campaigns/<int:pk>/", view(external.CampaignProgressView), name="vet_campaign_detail"),
    ]


class RoleMenuItem(MenuItem):
    """Shown to administrators, officers and school staff: each sees the rows of their own jurisdiction."""

    def is_shown(self, request):
        roles = permissions.get_roles(request.user)
        return roles.is_admin or roles.is_officer or roles.is_school_staff


@hooks.register("register_accreditation_menu_item")
def external_assessments_menu_item():
    return RoleMenuItem(_("External assessments"), reverse("vet_external_list"), name="external-assessments",
                        icon_name="tasks", order=500)


@hooks.register("register_accreditation_menu_item")
def action_items_menu_item():
    return RoleMenuItem(_("Action items"), reverse("vet_action_items"), name="action-items", icon_name="list-ul",
                        order=510)


@hooks.register("register_accreditation_menu_item")
def campaigns_menu_item():
    return RoleMenuItem(_("Campaigns"), reverse("vet_campaigns"), name="campaigns", icon_name="date", order=520)


@hooks.register("register_reports_menu_item")
def overdue_report_menu_item():
    return RoleMenuItem(_("Overdue action items"), reverse("vet_overdue_report"), name="overdue-action-items",
                        icon_name="warning", order=120)
