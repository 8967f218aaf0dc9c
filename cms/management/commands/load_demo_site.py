from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cms.demo import load_demo_site


class Command(BaseCommand):
    help = "Load the public site's demo content: program and school pages, news, school profiles (idempotent)."

    def handle(self, *args, **options):
        if not settings.VETTRACK_DEMO:
            raise CommandError(
                "Demo data is loaded only in demo mode: set VETTRACK_DEMO=True (the development settings do)."
            )
        try:
            result = load_demo_site()
        except (ValidationError, KeyError, ValueError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [repr(exc)]
            raise CommandError("Demo site rejected:\n" + "\n".join(messages))
        for line in result.lines():
            self.stdout.write(line)
