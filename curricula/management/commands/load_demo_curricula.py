from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from curricula.demo import load_demo_curricula


class Command(BaseCommand):
    help = (
        "Load the demo curricula of curricula/data/demo/ (approved versions that pass the rules, newer revisions "
        "that fail one, mappings to the sample frameworks). Run load_demo_data, load_curriculum_rules and "
        "load_sample_frameworks first. Idempotent: existing versions are left alone. Needs VETTRACK_DEMO=True."
    )

    def handle(self, *args, **options):
        if not settings.VETTRACK_DEMO:
            raise CommandError(
                "Demo data is loaded only in demo mode: set VETTRACK_DEMO=True (the development settings do)."
            )
        try:
            summary = load_demo_curricula()
        except (ValidationError, PermissionDenied, ObjectDoesNotExist, KeyError, ValueError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [repr(exc)]
            raise CommandError("Demo curricula rejected, nothing was written:\n" + "\n".join(messages))
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo curricula loaded: {summary.total('created')} created, {summary.total('updated')} updated."
            )
        )
