from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates import register_book
from vet import permissions
from vet.models import Institution


class Command(BaseCommand):
    help = (
        "Write the register book (sổ gốc) of one institution and year as XLSX or PDF: every register entry of "
        "the diplomas numbered that year, in register order, with the result of the hash chain check."
    )

    def add_arguments(self, parser):
        parser.add_argument("--institution", required=True, help="institution code")
        parser.add_argument("--year", required=True, type=int, help="year the diplomas were numbered, e.g. 2026")
        parser.add_argument("--format", required=True, choices=("xlsx", "pdf"), dest="file_format")
        parser.add_argument("--output", required=True, help="file to write")

    def handle(self, *args, institution, year, file_format, output, **options):
        found = Institution.objects.filter(code=institution).first()
        if found is None:
            raise CommandError(f"No institution with code {institution!r}.")
        if not 1990 <= year <= 2100:
            raise CommandError(f"--year: {year} is not a year between 1990 and 2100.")
        book = register_book.build_register_book(user=permissions.SYSTEM, institution=found, year=year)
        content = (
            register_book.register_book_xlsx(book) if file_format == "xlsx" else register_book.register_book_pdf(book)
        )
        Path(output).write_bytes(content)
        self.stdout.write(f"{output}: {len(book.rows)} entries of {found.code} in {year}.")
        if not book.chain_intact:
            for problem in book.problems:
                self.stderr.write(f"{found.code} #{problem.position}: {problem.message}")
            self.stderr.write(self.style.ERROR(f"The register chain is broken: {len(book.problems)} problem(s)."))
        else:
            self.stdout.write(self.style.SUCCESS("The register chain is intact."))
