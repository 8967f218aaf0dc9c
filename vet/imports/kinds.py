"""The registry's import kinds: institutions and teachers (checked column by column here), and yearly outcomes
and equipment checklists (checked by their importers in vet.importers, written by vet.data_services)."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vet import choices, data_services, exports, importers, permissions
from vet.downloads import csv_bytes
from vet.models import EquipmentChecklist, Institution, Occupation, OccupationOutcome, Province, Teacher
from vet.services import save_registry_object
from vet.text import fold

from . import register
from .base import Checked, Context, ImportKind, WriteRefused, refusal_messages, rejected_errors
from .engine import BOOL, CHOICE, CODE, EMAIL, INT, TEXT, URL, Column, Errors, FileRejected, Table, choice_map, lookup

INSTITUTION_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$")  # as vet.models.registry validates it
OCCUPATION_SEPARATORS = re.compile(r"[;,\s]+")


def _duplicate(row: int) -> str:
    return _("duplicate of row %(row)s") % {"row": row}


def save_rows(rows: list[tuple[int, object]], context: Context, shown: dict[str, str], after=None) -> None:
    """Save each (row number, instance) through the registry service, each in a savepoint; WriteRefused names
    every refused row, and the caller's transaction rolls back all of them."""
    errors = Errors(shown=shown)
    total = len(rows)
    for done, (row, instance) in enumerate(rows, start=1):
        try:
            with transaction.atomic():
                save_registry_object(user=context.user, instance=instance)
                if after:
                    after(row, instance)
        except (ValidationError, PermissionDenied) as exc:
            for name, message in refusal_messages(exc):
                errors.add(row, name, message)
        if done % 200 == 0:
            context.progress(50 + done * 50 // total, _("Writing row %(row)s of %(rows)s") % {
                "row": done, "rows": total})
    if errors:
        raise WriteRefused(errors)


def _changed(instance, values: dict) -> bool:
    return any(getattr(instance, name) != value for name, value in values.items())


def _values(table: Table, index, keys) -> dict:
    return {key: table.values.at[index, key] for key in keys}


class InstitutionsKind(ImportKind):
    key = "institutions"
    order = 10
    label = gettext_lazy("Institutions")
    description = gettext_lazy(
        "One row per school or centre. A code already registered updates that institution; a new code registers a "
        "new one. Officers import institutions of their province, administrators of any.")
    columns = (
        Column("code", "Mã cơ sở", gettext_lazy("The institution's code in VETtrack (2–32 letters, digits, . _ -)."),
               CODE, required=True, max_length=32, example="CD-TG-01", aliases=("Mã trường", "institution_code")),
        Column("name_vi", "Tên cơ sở", gettext_lazy("Full Vietnamese name."), TEXT, required=True, max_length=255,
               example="Trường Cao đẳng Tiền Giang", aliases=("Tên trường", "Tên tiếng Việt")),
        Column("name_en", "Tên tiếng Anh", gettext_lazy("English name."), TEXT, max_length=255,
               example="Tien Giang College"),
        Column("short_name", "Tên viết tắt", gettext_lazy("Short name."), TEXT, max_length=60, example="TGC"),
        Column("type", "Loại hình cơ sở", gettext_lazy("College, intermediate school, VET centre or other."), CHOICE,
               required=True, example="college", choices=choice_map(choices.InstitutionType, {
                   "cao đẳng": "college", "trung cấp": "intermediate", "trung tâm": "vet_centre",
                   "trung tâm GDNN": "vet_centre", "trung tâm GDNN-GDTX": "vet_centre", "khác": "other"})),
        Column("ownership", "Loại hình sở hữu", gettext_lazy("Public, private, foreign-invested or state enterprise."),
               CHOICE, required=True, example="public", choices=choice_map(choices.Ownership, {
                   "công lập": "public", "tư thục": "private", "có vốn đầu tư nước ngoài": "foreign_invested",
                   "doanh nghiệp nhà nước": "state_enterprise"})),
        Column("province_code", "Mã tỉnh", gettext_lazy("The 2-digit administrative code of the province."), CODE,
               required=True, max_length=3, example="82", aliases=("Mã tỉnh, thành phố", "province")),
        Column("address", "Địa chỉ", gettext_lazy("Postal address."), TEXT, max_length=300,
               example="Mỹ Tho, Tiền Giang"),
        Column("phone", "Điện thoại", gettext_lazy("Telephone."), TEXT, max_length=40, example="0273 3872 624"),
        Column("email", "Thư điện tử", gettext_lazy("E-mail address."), EMAIL, max_length=254,
               example="info@example.edu.vn", aliases=("Email",)),
        Column("website", "Trang web", gettext_lazy("Web address, with https://."), URL, max_length=200,
               example="https://example.edu.vn", aliases=("Website",)),
    )
    FIELDS = ("name_vi", "name_en", "short_name", "type", "ownership", "address", "phone", "email", "website")

    def may_import(self, user) -> bool:
        roles = permissions.get_roles(user)
        return roles.is_admin or roles.is_officer

    def validate(self, table: Table, context: Context, checked: Checked) -> None:
        codes = table.values["code"]
        bad = codes.notna() & ~codes.fillna("").str.fullmatch(INSTITUTION_CODE.pattern)
        table.errors.add_rows(table, bad, "code", lambda v: _("'%(value)s' is not a valid code: use 2–32 letters, "
                                                               "digits, dots, dashes or underscores") % {"value": v})
        table.duplicates(["code"], _duplicate)
        today = datetime.date.today()
        provinces = {p.code: p for p in Province.objects.all()}
        province = lookup(table, "province_code", provinces,
                          lambda v: _("no province has the code '%(code)s'") % {"code": v})
        for index in province.dropna().index:
            if not province.at[index].is_valid_on(today):
                table.errors.add(table.rows.at[index], "province_code", _(
                    "province %(code)s no longer exists: use the province it was merged into") % {
                    "code": province.at[index].code})
        existing = {i.code: i for i in Institution.objects.filter(code__in=list(codes.dropna().unique()))}
        payload, counts = [], {"created": 0, "updated": 0, "unchanged": 0}
        bad_rows = table.bad_rows()
        for index in table.values.index:
            row = int(table.rows.at[index])
            if row in bad_rows:
                continue
            values = _values(table, index, self.FIELDS)
            institution = existing.get(codes.at[index])
            if institution is None:
                institution = Institution(code=codes.at[index], province=province.at[index], **values)
                action, count = permissions.ADD, "created"
            else:
                action = permissions.CHANGE
                count = "updated" if (_changed(institution, values)
                                      or institution.province_id != province.at[index].pk) else "unchanged"
                for name, value in values.items():
                    setattr(institution, name, value)
                institution.province = province.at[index]
            if not permissions.has_object_permission(context.user, action, institution):
                table.errors.add(row, "province_code" if action == permissions.ADD else "code", _(
                    "you may not record institutions of this province") if action == permissions.ADD else _(
                    "you may not change institution %(code)s") % {"code": institution.code})
                continue
            counts[count] += 1
            if count != "unchanged":
                payload.append((row, institution))
        checked.counts, checked.payload = counts, payload

    def write(self, checked: Checked, context: Context) -> dict[str, int]:
        save_rows(checked.payload, context, checked.errors.shown)
        return checked.counts


class TeachersKind(ImportKind):
    key = "teachers"
    order = 20
    label = gettext_lazy("Teachers")
    description = gettext_lazy(
        "One row per teacher of the institution chosen. A teacher is matched by staff number, or, without one, by "
        "full name: a match is updated, anyone else is added. Teachers not in the file are left as they are.")
    context = "institution"
    columns = (
        Column("staff_number", "Mã giáo viên", gettext_lazy("The school's own number for the teacher."), CODE,
               max_length=40, example="GV-0012", aliases=("Mã giảng viên", "Mã nhân sự")),
        Column("full_name", "Họ và tên", gettext_lazy("Full name."), TEXT, required=True, max_length=120,
               example="Nguyễn Văn An", aliases=("Họ tên",)),
        Column("degree", "Trình độ cao nhất", gettext_lazy("Highest degree."), CHOICE, required=True,
               choices=choice_map(choices.Degree, {
                   "thạc sĩ": "master", "tiến sĩ": "doctor", "đại học": "bachelor", "cử nhân": "bachelor",
                   "kỹ sư": "bachelor", "cao đẳng": "college", "trung cấp": "intermediate", "không": "none"}),
               example="master", aliases=("Trình độ",)),
        Column("field_of_study", "Chuyên ngành", gettext_lazy("Field of the degree."), TEXT, max_length=200,
               example="Kỹ thuật điện"),
        Column("has_pedagogy_certificate", "Chứng chỉ sư phạm GDNN",
               gettext_lazy("Holds a VET pedagogy certificate."), BOOL, default=False, example="có"),
        Column("foreign_language_level", "Bậc ngoại ngữ",
               gettext_lazy("Level 1–6 of the six-level framework; empty when none."), INT, minimum=1, maximum=6,
               default=None, example="3"),
        Column("it_standard", "Chuẩn kỹ năng CNTT", gettext_lazy("None, basic or advanced IT skills."), CHOICE,
               choices=choice_map(choices.ITStandard), default=choices.ITStandard.NONE, example="basic"),
        Column("national_skill_level", "Bậc kỹ năng nghề quốc gia",
               gettext_lazy("National occupational skill certificate level 1–5; empty when none."), INT, minimum=1,
               maximum=5, default=None, example="3"),
        Column("industry_years", "Số năm kinh nghiệm thực tế", gettext_lazy("Years of industry experience."), INT,
               minimum=0, maximum=60, default=0, example="5"),
        Column("is_active", "Đang giảng dạy", gettext_lazy("Currently teaching (empty means yes)."), BOOL,
               default=True, example="có"),
        Column("teaching_role", "Giảng dạy", gettext_lazy("Theory, practice, or both (empty means both)."), CHOICE,
               choices=choice_map(choices.TeachingRole), default=choices.TeachingRole.BOTH, example="both"),
        Column("occupations", "Mã nghề giảng dạy",
               gettext_lazy("The 7-digit codes of the occupations taught, separated by ; (empty: none)."), TEXT,
               max_length=500, example="6520227; 5520227"),
    )
    FIELDS = ("staff_number", "full_name", "degree", "field_of_study", "has_pedagogy_certificate",
              "foreign_language_level", "it_standard", "national_skill_level", "industry_years", "is_active",
              "teaching_role")

    def may_import(self, user) -> bool:
        return permissions.has_permission(user, permissions.ADD, Teacher)

    def check_context(self, user, context: Context) -> None:
        if not permissions.has_object_permission(user, permissions.ADD, Teacher(institution=context.institution)):
            raise PermissionDenied(_("You may not import the teachers of %(institution)s.")
                                   % {"institution": context.institution})

    def validate(self, table: Table, context: Context, checked: Checked) -> None:
        values = table.values
        table.duplicates(["staff_number"], _duplicate)
        no_number = values["staff_number"].fillna("") == ""
        values["_name"] = values["full_name"].map(lambda n: fold(n) if n else None)
        table.duplicates(["_name"], lambda row: _("the same name as row %(row)s: give both a staff number")
                         % {"row": row}, column="full_name", mask=no_number)
        codes = values["occupations"].map(lambda text: [c for c in OCCUPATION_SEPARATORS.split(text or "") if c])
        known = {o.code: o for o in Occupation.objects.filter(code__in={c for cs in codes for c in cs})}
        for index, row_codes in codes.items():
            unknown = [c for c in row_codes if c not in known]
            if unknown:
                table.errors.add(table.rows.at[index], "occupations", _("no occupation has the code %(codes)s")
                                 % {"codes": ", ".join(unknown)})
        teachers = list(Teacher.objects.filter(institution=context.institution).prefetch_related("occupations"))
        by_number = {t.staff_number: t for t in teachers if t.staff_number}
        by_name: dict[str, list[Teacher]] = {}
        for teacher in teachers:
            by_name.setdefault(fold(teacher.full_name), []).append(teacher)
        payload, counts = [], {"created": 0, "updated": 0, "unchanged": 0}
        bad_rows = table.bad_rows()
        for index in values.index:
            row = int(table.rows.at[index])
            if row in bad_rows:
                continue
            fields = _values(table, index, self.FIELDS)
            occupations = [known[c] for c in codes.at[index]]
            if fields["staff_number"]:
                teacher = by_number.get(fields["staff_number"])
            else:
                namesakes = by_name.get(values.at[index, "_name"], [])
                if len(namesakes) > 1:
                    table.errors.add(row, "full_name", _(
                        "%(count)s teachers of the school have this name: give the staff number") % {
                        "count": len(namesakes)})
                    continue
                teacher = namesakes[0] if namesakes else None
                fields.pop("staff_number")  # a match by name keeps its number
            if teacher is None:
                teacher, count = Teacher(institution=context.institution, **fields), "created"
            else:
                same_occupations = {o.pk for o in teacher.occupations.all()} == {o.pk for o in occupations}
                count = "unchanged" if not _changed(teacher, fields) and same_occupations else "updated"
                for name, value in fields.items():
                    setattr(teacher, name, value)
            counts[count] += 1
            if count != "unchanged":
                payload.append((row, teacher, occupations))
        checked.counts, checked.payload = counts, payload

    def write(self, checked: Checked, context: Context) -> dict[str, int]:
        occupations = {row: items for row, _teacher, items in checked.payload}
        save_rows([(row, teacher) for row, teacher, _items in checked.payload], context, checked.errors.shown,
                  after=lambda row, teacher: teacher.occupations.set(occupations[row]))
        return checked.counts


class _DelegatedKind(ImportKind):
    """A kind checked and written by an older importer: its errors become the job's, its dry run the preview."""

    column_keys: tuple[str, ...] = ()
    model = None

    def may_import(self, user) -> bool:
        return permissions.has_permission(user, permissions.ADD, self.model)

    def parse(self, path, context: Context, filename: str | None):
        raise NotImplementedError

    def apply(self, rows, context: Context) -> dict[str, int]:
        raise NotImplementedError

    def check(self, path, context: Context, *, filename: str | None = None) -> Checked:
        context.progress(10, _("Checking every row"))
        try:
            rows = self.parse(path, context, filename)
        except importers.ImportRejected as rejected:
            return Checked(errors=rejected_errors(rejected))
        except FileRejected as rejected:
            return Checked(errors=rejected.errors)
        checked = Checked(rows=len(rows), payload=rows, preview=self._raw_preview(path, filename))
        context.progress(60, _("Comparing with the database"))
        try:
            with transaction.atomic():  # a dry run: what writing would do, then rolled back
                checked.counts = self.apply(rows, context)
                raise _RolledBack
        except _RolledBack:
            pass
        except (ValidationError, PermissionDenied) as exc:
            for name, message in refusal_messages(exc):
                checked.errors.add(0, name, message)
        return checked

    def write(self, checked: Checked, context: Context) -> dict[str, int]:
        try:
            return self.apply(checked.payload, context)
        except (ValidationError, PermissionDenied) as exc:
            errors = Errors()
            for name, message in refusal_messages(exc):
                errors.add(0, name, message)
            raise WriteRefused(errors) from exc

    def _raw_preview(self, path, filename) -> list[list[str]]:
        from .engine import read_table

        frame = read_table(path, filename=filename).head(20)
        head = [str(h) for h in frame.columns]
        return [[_("Row"), *head], *[[str(i + 2), *map(str, r)] for i, r in enumerate(frame.values.tolist())]]

    def template_csv(self) -> bytes:
        return csv_bytes(list(self.column_keys), [])


class _RolledBack(Exception):
    pass


class OutcomesKind(_DelegatedKind):
    key = "outcomes"
    order = 50
    label = gettext_lazy("Yearly outcomes")
    description = gettext_lazy(
        "One row per institution, occupation, level and year: enrolment, graduates, employment within 6 months and "
        "skill certificates. A row already recorded is updated.")
    column_keys = importers.OUTCOME_COLUMNS
    model = OccupationOutcome

    def parse(self, path, context, filename):
        return importers.parse_outcomes(path, user=context.user, filename=filename)

    def apply(self, rows, context):
        summary = data_services.import_outcomes(user=context.user, rows=rows)
        return {"rows": len(rows), "created": summary.created, "updated": summary.updated,
                "unchanged": summary.unchanged}

    def template_xlsx(self) -> bytes:
        return exports.outcomes_template_xlsx()


class EquipmentKind(_DelegatedKind):
    key = "equipment"
    order = 60
    label = gettext_lazy("Equipment checklists")
    description = gettext_lazy(
        "One row per equipment item of an institution's checklist for an occupation and level: quantity required "
        "and held. Items not in the file are left as they are.")
    column_keys = importers.EQUIPMENT_COLUMNS
    model = EquipmentChecklist

    def parse(self, path, context, filename):
        return importers.parse_equipment(path, user=context.user, filename=filename)

    def apply(self, rows, context):
        lists, items = data_services.import_equipment(user=context.user, rows=rows)
        return {"rows": len(rows), "created": lists.created, "updated": lists.updated, "unchanged": lists.unchanged,
                "items_created": items.created, "items_updated": items.updated, "items_unchanged": items.unchanged}

    def template_xlsx(self) -> bytes:
        return exports.equipment_template_xlsx()


for _kind in (InstitutionsKind(), TeachersKind(), OutcomesKind(), EquipmentKind()):
    register(_kind)

__all__ = ["EquipmentKind", "InstitutionsKind", "OutcomesKind", "TeachersKind", "save_rows"]
