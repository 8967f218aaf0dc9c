from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VetConfig(AppConfig):
    name = "vet"
    verbose_name = _("Registry")
