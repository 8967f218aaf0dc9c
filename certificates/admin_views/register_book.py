"""Wagtail admin: the register book (sổ gốc) of one institution and year, paginated, with the hash chain check
and its XLSX and PDF downloads. Reads come from `certificates.register_book`; who may read which book from
`vet.permissions` (school staff their own school, officers the schools of their province)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from vet import permissions
from vet.admin_views.policy import forbidden_as_403
from vet.downloads import PDF, XLSX, attachment

from .. import register_book
from ..register_book import RegisterBook

PER_PAGE = 50


class RegisterBookForm(forms.Form):
    institution = forms.ModelChoiceField(label=gettext_lazy("Institution"), queryset=None, empty_label=None)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)

    def __init__(self, *args, institutions, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["institution"].label_from_instance = lambda i: f"{i.name} ({i.code})"
        self.fields["year"].choices = [(year, str(year)) for year in years]


class RegisterBookView(View):
    """The entries of the chosen institution's book, 50 a page; `export` = "xlsx" or "pdf" downloads the whole
    book. The institution and year come from GET parameters, so a URL can be shared."""

    export: str = ""

    def get(self, request):
        institutions = register_book.register_book_institutions(request.user)
        if not institutions.exists():
            raise PermissionDenied(_("The register book is for school staff, provincial officers and administrators."))
        asked = request.GET.get("institution", "")
        if asked.isdigit() and not institutions.filter(pk=int(asked)).exists():
            raise PermissionDenied(
                _("You may only read the register book of your own school or of the schools of your province.")
            )
        years = register_book.register_years(institutions) or [timezone.localdate().year]
        data = request.GET.copy()
        if "institution" not in data:  # the latest school that entered diplomas, else the first one
            latest = institutions.filter(register_entries__isnull=False).order_by("-register_entries__pk").first()
            data["institution"] = str((latest or institutions.first()).pk)
        data.setdefault("year", str(years[0]))
        form = RegisterBookForm(data, institutions=institutions, years=years)
        if not form.is_valid():
            if self.export:
                raise PermissionDenied(_("Choose an institution and a year."))
            return render(request, "certificates/admin/register_book.html", {"form": form})
        institution, year = form.cleaned_data["institution"], form.cleaned_data["year"]
        if self.export:
            book = register_book.build_register_book(user=request.user, institution=institution, year=year)
            if self.export == "xlsx":
                return attachment(
                    register_book.register_book_xlsx(book), XLSX, register_book.export_filename(book, "xlsx")
                )
            return attachment(register_book.register_book_pdf(book), PDF, register_book.export_filename(book, "pdf"))
        register_book.check_register_book_access(request.user, institution)
        page = Paginator(register_book.list_register_entries(institution, year), PER_PAGE).get_page(
            request.GET.get("p")
        )
        problems, checked = register_book.check_chain(institution)
        book = RegisterBook(
            institution=institution,
            year=year,
            rows=register_book.build_rows(page.object_list),
            problems=problems,
            entries_checked=checked,
            generated_at=timezone.localtime(),
        )
        query = urlencode({"institution": institution.pk, "year": year})
        return render(
            request,
            "certificates/admin/register_book.html",
            {
                "form": form,
                "book": book,
                "page": page,
                "chain_summary": register_book.chain_summary(book),
                "xlsx_url": f"{reverse('certificates_register_book_xlsx')}?{query}",
                "pdf_url": f"{reverse('certificates_register_book_pdf')}?{query}",
            },
        )


@hooks.register("register_admin_urls")
def register_book_admin_urls():
    return [
        path(
            "certificates/register-book/",
            forbidden_as_403(RegisterBookView.as_view()),
            name="certificates_register_book",
        ),
        path(
            "certificates/register-book/book.xlsx",
            forbidden_as_403(RegisterBookView.as_view(export="xlsx")),
            name="certificates_register_book_xlsx",
        ),
        path(
            "certificates/register-book/book.pdf",
            forbidden_as_403(RegisterBookView.as_view(export="pdf")),
            name="certificates_register_book_pdf",
        ),
    ]


class RegisterBookMenuItem(MenuItem):
    """Shown to administrators, officers and school staff: each reads the books of their own jurisdiction."""

    def is_shown(self, request):
        roles = permissions.get_roles(request.user)
        return roles.is_admin or roles.is_officer or roles.is_school_staff


@hooks.register("register_certificates_menu_item")
def register_book_menu_item():
    return RegisterBookMenuItem(
        gettext_lazy("Register book"),
        reverse("certificates_register_book"),
        name="register-book",
        icon_name="list-ol",
        order=400,
    )
