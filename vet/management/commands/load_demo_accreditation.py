from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vet.demo_accreditation import load_demo_accreditation


class Command(BaseCommand):
    help = (
        "Load the demo accreditation and readiness data: evidence, self-assessments, an external assessment with "
        "findings and action items, a campaign, yearly outcomes and equipment checklists. Idempotent. Needs "
        "VETTRACK_DEMO=True, the demo registry and the accreditation frameworks."
    )

    def handle(self, *args, **options):
        if not settings.VETTRACK_DEMO:
            raise CommandError("Demo data is loaded only in demo mode: set VETTRACK_DEMO=True.")
        try:
            summary = load_demo_accreditation()
        except ValidationError as exc:
            raise CommandError("Demo accreditation data rejected, nothing was written:\n" + "\n".join(exc.messages))
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(
            f"Demo accreditation data loaded: {summary.total('created')} created."))
