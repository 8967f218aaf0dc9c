from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cms import services


class Command(BaseCommand):
    help = _("Bring the public program and school pages in line with the registry (safe to run at any time; "
             "run it daily, since a key-occupation tier depends on the year).")

    def handle(self, *args, **options):
        for name, summary in services.sync_public_pages().items():
            self.stdout.write(_("%(what)s: %(created)d created, %(updated)d updated, %(withdrawn)d withdrawn, "
                                "%(deleted)d deleted, %(unchanged)d unchanged") % {
                "what": {"schools": _("School pages"), "programs": _("Program pages")}[name],
                **summary.__dict__})
