"""Import kinds of certificates (vet.imports): a school's learners, in bulk, and a cohort's results.

Learners: one row per learner of the school chosen, naming the cohort (class code) each is enrolled in. The file
is checked column by column (vet.imports.engine) and against the database in a few queries whatever its length:
the cohorts of the school, and the learners and enrolments of the IDs it names, 5,000 IDs a query. The same rules
as `services.save_learner` and `services.enrol_learner` hold: a citizen ID already registered under another name
or date of birth is refused; a learner already in the cohort is left as is; cohorts must follow an approved
curriculum version. A file without errors is then written with bulk inserts (history rows included, by the
importing user; vet.bulk_writes), so that a register of 100,000 learners takes seconds (bench/imports.py).

Results: a cohort's results file, checked and written by certificates.importers (through the services, which
classify and recognise graduation).
"""

from __future__ import annotations

import datetime

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from curricula.choices import VersionStatus
from vet import importers as vet_importers
from vet import permissions
from vet.bulk_writes import insert_with_history
from vet.downloads import csv_bytes
from vet.imports import register
from vet.imports.base import Checked, Context, ImportKind, WriteRefused, rejected_errors
from vet.imports.engine import CHOICE, CODE, DATE, TEXT, Column, Table, choice_map

from . import choices, importers
from .models import Cohort, Enrolment, Learner

ID_CHUNK = 5000
CITIZEN_ID = r"\d{12}"


class LearnersKind(ImportKind):
    key = "learners"
    order = 30
    label = gettext_lazy("Learners")
    description = gettext_lazy(
        "One row per learner of the school chosen, with the code of the cohort (class) they are enrolled in. A "
        "learner already registered with the same citizen ID (by this or another school) is reused, never created "
        "twice; a learner already in the cohort is left as is, so importing the same file again changes nothing.")
    context = "institution"
    max_rows = 200_000
    columns = (
        Column("citizen_id", "Số định danh cá nhân", gettext_lazy("The 12 digits of the citizen identity card."),
               CODE, required=True, max_length=12, example="079205001234",
               aliases=tuple(importers.HEADERS_VI["citizen_id"][1:])),
        Column("full_name", "Họ và tên", gettext_lazy("Full name, as on the identity card."), TEXT, required=True,
               max_length=120, example="Nguyễn Thị Bình", aliases=("Họ tên",)),
        Column("date_of_birth", "Ngày sinh", gettext_lazy("Date of birth."), DATE, required=True,
               minimum=datetime.date(1900, 1, 1), example="04/03/2005"),
        Column("sex", "Giới tính", gettext_lazy("Nam or Nữ (male or female)."), CHOICE, required=True,
               choices=choice_map(choices.Sex), example="Nữ"),
        Column("place_of_birth", "Nơi sinh", gettext_lazy("Province of birth, as on the diploma."), TEXT,
               required=True, max_length=120, example="Tiền Giang"),
        Column("ethnicity", "Dân tộc", gettext_lazy("Ethnicity (empty means Kinh)."), TEXT, max_length=60,
               default="Kinh", example="Kinh"),
        Column("cohort_code", "Mã lớp", gettext_lazy("The code of the cohort (class) at the school."), CODE,
               required=True, max_length=40, example="CĐ-ĐCN-K25", aliases=("Lớp", "cohort")),
        Column("student_number", "Mã học sinh, sinh viên", gettext_lazy("The school's student number."), CODE,
               max_length=40, example="SV25001", aliases=tuple(importers.HEADERS_VI["student_number"][1:])),
    )

    def may_import(self, user) -> bool:
        roles = permissions.get_roles(user)
        return roles.is_admin or (roles.is_school_staff
                                  and permissions.has_permission(user, permissions.ADD, Enrolment))

    def check_context(self, user, context: Context) -> None:
        roles = permissions.get_roles(user)
        if not (roles.is_admin or context.institution.pk in roles.institution_ids):
            raise PermissionDenied(_("You may not import the learners of %(institution)s.")
                                   % {"institution": context.institution})

    def validate(self, table: Table, context: Context, checked: Checked) -> None:
        values, errors = table.values, table.errors
        ids = values["citizen_id"].fillna("").astype(str)
        lost_zeros = ids.str.fullmatch(r"\d{10,11}")  # Excel stored the ID as a number and dropped its zeros
        ids = ids.where(~lost_zeros, ids.str.zfill(12))
        bad = values["citizen_id"].notna() & ~ids.str.fullmatch(CITIZEN_ID)
        errors.add_rows(table, bad, "citizen_id", lambda value: _(
            "'%(value)s' is not a citizen ID: it has exactly 12 digits") % {"value": value})
        values["citizen_id"] = ids.where(~bad & (ids != ""), None)
        table.duplicates(["citizen_id"], lambda row: _("duplicate of row %(row)s") % {"row": row})
        today = datetime.date.today()
        future = values["date_of_birth"].map(lambda d: d is not None and d > today)
        errors.add_rows(table, future, "date_of_birth", lambda value: _(
            "'%(value)s' is in the future") % {"value": value})
        cohort = self._cohorts(table, context)
        context.progress(70, _("Comparing with the registered learners"))
        known = self._known_learners(values["citizen_id"].dropna().unique().tolist())
        learner = values["citizen_id"].map(lambda cid: known.get(cid) if cid else None)
        conflict = learner.notna() & pd.Series(
            [bool(r) and (r[1], r[2]) != (n, d) for r, n, d in
             zip(learner, values["full_name"], values["date_of_birth"], strict=True)], index=values.index)
        errors.add_rows(table, conflict, "citizen_id", lambda value: _(
            "A learner with citizen ID %(id)s is already registered under another name or date of birth.")
            % {"id": value})
        pairs = self._enrolled({r[0] for r in learner.dropna()}, {c.pk for c in cohort.dropna()})
        enrolled = pd.Series([bool(r) and c is not None and (c.pk, r[0]) in pairs
                              for r, c in zip(learner, cohort, strict=True)], index=values.index)
        ok = ~table.rows.isin(table.bad_rows()) & ~conflict & values["citizen_id"].notna()
        rows = values[ok & ~enrolled]
        new = rows[learner[ok & ~enrolled].isna()]
        checked.counts = {"rows": len(table), "enrolled": len(rows), "learners_new": len(new),
                          "already_enrolled": int((ok & enrolled).sum())}
        checked.payload = {"rows": rows.assign(cohort_obj=cohort, known=learner)}

    def _cohorts(self, table: Table, context: Context) -> pd.Series:
        """The cohort of each row (among the school's cohorts), with an error where there is none or several."""
        cohorts: dict[str, list[Cohort]] = {}
        for cohort in Cohort.objects.filter(curriculum_version__curriculum__institution=context.institution
                                            ).select_related("curriculum_version__curriculum__institution"):
            cohorts.setdefault(cohort.code, []).append(cohort)
        problems: dict[str, str] = {}
        for code in table.values["cohort_code"].dropna().unique():
            found = cohorts.get(code, [])
            if not found:
                problems[code] = _("%(institution)s has no cohort with the code '%(code)s'") % {
                    "institution": context.institution, "code": code}
            elif len(found) > 1:
                problems[code] = _("%(count)s cohorts have the code '%(code)s' (one per curriculum version): give "
                                   "the cohorts distinct codes") % {"count": len(found), "code": code}
            elif found[0].curriculum_version.status not in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED):
                problems[code] = _("cohort %(code)s follows a curriculum version that is not approved: learners are "
                                   "enrolled only in cohorts of an approved version") % {"code": code}
            elif not permissions.has_object_permission(context.user, permissions.ADD, Enrolment(cohort=found[0])):
                problems[code] = _("you may not enrol learners in cohort %(code)s") % {"code": code}
        codes = table.values["cohort_code"]
        table.errors.add_rows(table, codes.isin(list(problems)), "cohort_code", lambda value: problems[value])
        return codes.map(lambda code: cohorts[code][0] if code and code not in problems else None)

    @staticmethod
    def _known_learners(ids: list[str]) -> dict[str, tuple]:
        known = {}
        for start in range(0, len(ids), ID_CHUNK):
            for row in Learner.objects.filter(citizen_id__in=ids[start:start + ID_CHUNK]).values_list(
                    "citizen_id", "pk", "full_name", "date_of_birth"):
                known[row[0]] = row[1:]
        return known

    @staticmethod
    def _enrolled(learner_ids: set[int], cohort_ids: set[int]) -> set[tuple[int, int]]:
        if not learner_ids or not cohort_ids:
            return set()
        pairs = set()
        ordered = sorted(learner_ids)
        for start in range(0, len(ordered), ID_CHUNK):
            pairs |= set(Enrolment.objects.filter(cohort__in=cohort_ids, learner__in=ordered[start:start + ID_CHUNK])
                         .values_list("cohort_id", "learner_id"))
        return pairs

    def write(self, checked: Checked, context: Context) -> dict[str, int]:
        rows: pd.DataFrame = checked.payload["rows"]
        user = context.user if getattr(context.user, "is_authenticated", False) else None
        new = rows[rows["known"].isna()]
        learners = [{"citizen_id": r.citizen_id, "full_name": r.full_name, "date_of_birth": r.date_of_birth,
                     "sex": r.sex, "place_of_birth": r.place_of_birth, "ethnicity": r.ethnicity or "Kinh"}
                    for r in new.itertuples(index=False)]
        context.progress(50, _("Registering %(total)s new learners") % {"total": len(learners)})
        keys = insert_with_history(Learner, learners, user=user,
                                   progress=lambda p: context.progress(50 + p // 4, _("Registering new learners")))
        ids = dict(zip(new["citizen_id"], keys, strict=True))
        enrolments = [{"cohort_id": r.cohort_obj.pk, "learner_id": r.known[0] if r.known else ids[r.citizen_id],
                       "student_number": r.student_number or ""} for r in rows.itertuples(index=False)]
        context.progress(75, _("Enrolling %(total)s learners") % {"total": len(enrolments)})
        insert_with_history(Enrolment, enrolments, user=user,
                            progress=lambda p: context.progress(75 + p // 4, _("Enrolling learners")))
        return checked.counts


class ResultsKind(ImportKind):
    key = "results"
    order = 40
    label = gettext_lazy("Results")
    description = gettext_lazy(
        "One row per learner already enrolled in the cohort chosen: the final score and flags, and the graduation "
        "decision when there is one. A learner who does not meet the graduation conditions is refused with the "
        "reason.")
    context = "cohort"

    def may_import(self, user) -> bool:
        return permissions.has_permission(user, permissions.CHANGE, Enrolment)

    def check_context(self, user, context: Context) -> None:
        importers.require_import_permission(user, context.cohort, importers.RESULTS)

    def cohorts_for(self, user):
        cohorts = Cohort.objects.select_related("curriculum_version__curriculum__institution")
        return permissions.scope_queryset(user, cohorts, permissions.CHANGE).order_by("-intake_year", "code", "pk")

    def check(self, path, context: Context, *, filename: str | None = None) -> Checked:
        context.progress(10, _("Checking every row"))
        try:
            plan = importers.check_file(path, cohort=context.cohort, kind=importers.RESULTS, filename=filename)
            context.progress(60, _("Comparing with the database"))
            # The dry run changes the plan's enrolments in memory before it rolls back: write from a fresh plan.
            summary = importers.apply_plan(user=context.user, plan=plan, dry_run=True)
            plan = importers.check_file(path, cohort=context.cohort, kind=importers.RESULTS, filename=filename)
        except vet_importers.ImportRejected as rejected:
            return Checked(errors=rejected_errors(rejected))
        counts = {"rows": summary.rows, "recorded": summary.recorded, "graduated": summary.graduated,
                  "unchanged": summary.unchanged}
        preview = [[_("Row"), *plan.headers.values()]]
        preview += [[str(r.row), *(_cell(getattr(r, k, "")) for k in plan.headers)] for r in plan.rows[:20]]
        return Checked(rows=summary.rows, counts=counts, payload=plan, preview=preview)

    def write(self, checked: Checked, context: Context) -> dict[str, int]:
        try:
            summary = importers.apply_plan(user=context.user, plan=checked.payload)
        except vet_importers.ImportRejected as rejected:
            raise WriteRefused(rejected_errors(rejected)) from None
        return {"rows": summary.rows, "recorded": summary.recorded, "graduated": summary.graduated,
                "unchanged": summary.unchanged}

    def template_xlsx(self) -> bytes:
        return importers.template_xlsx(importers.RESULTS)

    def template_csv(self) -> bytes:
        return csv_bytes(list(importers.COLUMNS[importers.RESULTS]), [])


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


register(LearnersKind())
register(ResultsKind())
