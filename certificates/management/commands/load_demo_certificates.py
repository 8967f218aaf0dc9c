from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from certificates.demo import load_demo_certificates


class Command(BaseCommand):
    help = (
        "Load the demo certificates of certificates/data/demo/: My Tho College's template and numbering, two "
        "cohorts with results, one cohort issued in a batch, one diploma revoked and one re-issued. Run "
        "load_demo_data, load_classification_rules and load_demo_curricula first. Idempotent. Needs VETTRACK_DEMO=True."
    )

    def handle(self, *args, **options):
        if not settings.VETTRACK_DEMO:
            raise CommandError(
                "Demo data is loaded only in demo mode: set VETTRACK_DEMO=True (the development settings do)."
            )
        try:
            result = load_demo_certificates()
        except (ValidationError, PermissionDenied, ObjectDoesNotExist, KeyError, ValueError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [repr(exc)]
            raise CommandError("Demo certificates rejected:\n" + "\n".join(messages))
        for line in result.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo certificates loaded."))
