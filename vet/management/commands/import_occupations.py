from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from vet.importers import ImportRejected, parse_occupations
from vet.models import LegalDocument
from vet.permissions import SYSTEM
from vet.services import import_occupations


class Command(BaseCommand):
    help = "Import the occupation catalogue from a CSV or XLSX file (columns: code, name_vi, name_en)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--document", help="Number of the legal document that issues the catalogue.")
        parser.add_argument("--user", help="Username recorded in the history (defaults to none).")

    def handle(self, *args, file, document=None, user=None, **options):
        from django.contrib.auth import get_user_model

        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user named {user!r}.")
        else:
            actor = SYSTEM  # the operator at the command line is trusted like an administrator
        doc = None
        if document:
            doc = LegalDocument.objects.filter(number=document).first()
            if doc is None:
                raise CommandError(f"No legal document numbered {document!r}; add it first.")
        try:
            rows = parse_occupations(file)
            summary = import_occupations(user=actor, rows=rows, catalogue_document=doc)
        except FileNotFoundError:
            raise CommandError(f"File not found: {file}") from None
        except ImportRejected as exc:
            raise CommandError(f"{file} rejected, nothing was written:\n{exc}") from None
        except PermissionDenied as exc:
            raise CommandError(f"{file} rejected, nothing was written: {exc}") from None
        except ValidationError as exc:
            raise CommandError(f"{file} rejected, nothing was written:\n" + "\n".join(
                f"{k}: {'; '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(self.style.SUCCESS(
            f"{len(rows)} rows: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged."))

