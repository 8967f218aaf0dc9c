"""The demo registry: fictitious institutions in Tiền Giang / Đồng Tháp and Hải Phòng / Hải Dương.

The data lives in `vet/data/demo/` (CSV files, and `generation.json` for the teachers and partners drawn with a
fixed seed); this module only reads it and writes through `vet.services` (via `vet.loaders.upsert`). Loading
is idempotent: rows are matched on natural keys (numbers, codes, usernames) and unchanged rows are not saved.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from . import choices, services
from .loaders import (
    CREATED,
    DATA_DIR,
    UNCHANGED,
    LoadSummary,
    in_dependency_order,
    load_actual_values,
    load_legal_documents,
    load_reference_data,
    load_targets,
    parse_date,
    read_csv,
    upsert,
)
from .models import (
    Authority,
    EnterprisePartner,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Membership,
    Occupation,
    Province,
    ScopeEntry,
    Teacher,
)

DEMO_DIR = DATA_DIR / "demo"
SEED = 2025
DEMO_SUFFIX = " (demo)"


@dataclass(frozen=True)
class DemoUser:
    """A demo login, as listed in `vet/data/demo/users.csv` (the one place the demo passwords live)."""

    username: str
    password: str
    role: str
    authority: str  # key in authorities.csv
    institution: str  # institution code
    last_name: str
    first_name: str
    email: str
    can_do: str

    @property
    def role_label(self) -> str:
        return str(choices.Role(self.role).label)


def list_demo_users(demo_dir: Path = DEMO_DIR) -> list[DemoUser]:
    """The demo logins with their passwords and what each may do."""
    return [DemoUser(**row) for row in read_csv(demo_dir / "users.csv")]


@dataclass(frozen=True)
class DemoResult:
    summary: LoadSummary
    users: list[DemoUser]
    # Usernames that existed with another password; the loader never resets a password.
    password_changed: list[str]


# ------------------------------------------------------------------------------------------------ loading


@transaction.atomic
def load_demo_data(demo_dir: Path = DEMO_DIR) -> DemoResult:
    """Reference data, then the demo registry and its logins; a second run creates and changes nothing."""
    summary = load_reference_data()
    load_legal_documents(demo_dir / "legal_documents.csv", summary)
    provinces = _load_provinces(demo_dir, summary)
    authorities = _load_authorities(demo_dir, summary, provinces)
    institutions = _load_institutions(demo_dir, summary, provinces, authorities)
    _load_designations(demo_dir, summary, institutions)
    _load_people(demo_dir, summary, institutions)
    load_targets(summary=summary)  # the provincial plans' targets need the demo provinces
    load_actual_values(demo_dir / "actuals.csv", summary)
    users = list_demo_users(demo_dir)
    changed = _load_users(users, summary, authorities, institutions)
    return DemoResult(summary=summary, users=users, password_changed=changed)


def _load_provinces(demo_dir: Path, summary: LoadSummary) -> dict[str, Province]:
    rows = in_dependency_order(
        read_csv(demo_dir / "provinces.csv"), key=lambda r: r["code"], ref=lambda r: r["successor"]
    )
    provinces: dict[str, Province] = {}
    for row in rows:
        provinces[row["code"]] = upsert(
            Province,
            lookup={"code": row["code"]},
            values={
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "region": row["region"],
                "valid_from": parse_date(row["valid_from"]),
                "valid_to": parse_date(row["valid_to"]),
                "successor": provinces[row["successor"]] if row["successor"] else None,
                "merger_document": (
                    LegalDocument.objects.get(number=row["merger_document"]) if row["merger_document"] else None
                ),
            },
            summary=summary,
        )
    return provinces


def _load_authorities(demo_dir: Path, summary: LoadSummary, provinces: dict[str, Province]) -> dict[str, Authority]:
    rows = in_dependency_order(
        read_csv(demo_dir / "authorities.csv"), key=lambda r: r["key"], ref=lambda r: r["successor"]
    )
    authorities: dict[str, Authority] = {}
    for row in rows:
        province = provinces[row["province"]] if row["province"] else None
        authorities[row["key"]] = upsert(
            Authority,
            lookup={"level": row["level"], "province": province, "name_vi": row["name_vi"]},
            values={
                "name_en": row["name_en"],
                "short_name": row["short_name"],
                "valid_from": parse_date(row["valid_from"]),
                "valid_to": parse_date(row["valid_to"]),
                "successor": authorities[row["successor"]] if row["successor"] else None,
            },
            summary=summary,
        )
    return authorities


def _scope_items(spec: str) -> list[tuple[str, str, int]]:
    """'6520227:150 5520227@elementary_3:60' -> [(code, level, quota), …]; the level defaults to the code's."""
    items = []
    for token in spec.split():
        target, quota = token.split(":")
        code, _, level = target.partition("@")
        items.append((code, level or choices.CODE_DIGIT_LEVEL[code[0]], int(quota)))
    return items


def _load_institutions(
    demo_dir: Path, summary: LoadSummary, provinces: dict[str, Province], authorities: dict[str, Authority]
) -> dict[str, Institution]:
    occupations = {o.code: o for o in Occupation.objects.all()}
    institutions: dict[str, Institution] = {}
    for row in read_csv(demo_dir / "institutions.csv"):
        registered_on = parse_date(row["registered_on"])
        registration = upsert(
            LegalDocument,
            lookup={"number": row["registration_number"]},
            values={
                "kind": choices.LegalDocumentKind.REGISTRATION,
                "issuer": row["registration_issuer"],
                "title_vi": "Giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp – " + row["name_vi"],
                "title_en": "Certificate of registration of VET activity – " + row["name_en"],
                "issued_on": registered_on,
                "effective_from": registered_on,
                "confirmed": False,
            },
            summary=summary,
        )
        institution = upsert(
            Institution,
            lookup={"code": row["code"]},
            values={
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "short_name": row["short_name"],
                "type": row["type"],
                "ownership": row["ownership"],
                "province": provinces[row["province"]],
                "managing_authority": authorities[row["managing_authority"]],
                "address": row["address"],
                "phone": row["phone"],
                "email": row["email"],
                "website": row["website"],
                "registration_document": registration,
            },
            summary=summary,
        )
        institutions[row["code"]] = institution
        for code, level, quota in _scope_items(row["scope"]):
            upsert(
                ScopeEntry,
                lookup={"institution": institution, "occupation": occupations[code], "level": level},
                values={"annual_quota": quota},
                summary=summary,
            )
    return institutions


def _load_designations(demo_dir: Path, summary: LoadSummary, institutions: dict[str, Institution]) -> None:
    occupations = {o.code: o for o in Occupation.objects.all()}
    decisions: dict[str, LegalDocument] = {}
    for row in read_csv(demo_dir / "designations.csv"):
        occupation = occupations[row["occupation"]]
        if row["decision"] not in decisions:
            decisions[row["decision"]] = LegalDocument.objects.get(number=row["decision"])
        upsert(
            KeyOccupationDesignation,
            lookup={
                "institution": institutions[row["institution"]],
                "occupation": occupation,
                "level": occupation.level,
                "tier": row["tier"],
                "period_start": int(row["period_start"]),
            },
            values={
                "period_end": int(row["period_end"]),
                "decision": decisions[row["decision"]],
                "note": row["note"],
            },
            summary=summary,
        )


# -------------------------------------------------------------------------------- teachers and partners


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _teacher_rows(rng: random.Random, spec: dict, institution: Institution, fields_of_study: list[str]) -> list[dict]:
    low, high = spec["teachers_per_institution"][institution.type]
    names: set[str] = set()
    rows = []
    for _ in range(rng.randint(low, high)):
        sex = rng.choice(("male", "female"))
        name = " ".join(
            (
                rng.choice(spec["family_names"]),
                rng.choice(spec["middle_names"][sex]),
                rng.choice(spec["given_names"][sex]),
            )
        )
        if name in names:
            continue  # the natural key is (institution, full name)
        names.add(name)
        language = _weighted(rng, spec["foreign_language_level_weights"])
        skill = _weighted(rng, spec["skill_level_weights"])
        own_field = rng.random() < 0.8
        pool = fields_of_study if own_field and fields_of_study else spec["extra_fields_of_study"]
        rows.append(
            {
                "full_name": name,
                "degree": _weighted(rng, spec["degree_weights"][institution.type]),
                "field_of_study": rng.choice(pool),
                "has_pedagogy_certificate": rng.random() < spec["pedagogy_certificate_share"],
                "foreign_language_level": int(language) if language else None,
                "it_standard": _weighted(rng, spec["it_standard_weights"]),
                "national_skill_level": int(skill) if skill else None,
                "industry_years": rng.randint(*spec["industry_years"]),
            }
        )
    return rows


def _partner_rows(rng: random.Random, spec: dict, field_codes: list[str]) -> list[dict]:
    pool = [tuple(p) for code in field_codes for p in spec["partners_by_field"].get(code, [])]
    low, high = spec["partners_per_institution"]
    rows = []
    for name, sector in rng.sample(pool, min(len(pool), rng.randint(low, high))):
        since = datetime.date(rng.randint(*spec["partner_since_years"]), rng.randint(1, 12), 1)
        until = None
        if rng.random() < spec["partner_ended_share"]:
            until = since.replace(year=since.year + rng.randint(2, 4))
        rows.append(
            {
                "name": name + DEMO_SUFFIX,
                "sector": sector,
                "agreement_type": _weighted(rng, spec["agreement_type_weights"]),
                "since": since,
                "until": until,
                "contact": rng.choice(spec["partner_contacts"]),
            }
        )
    return rows


def _load_people(demo_dir: Path, summary: LoadSummary, institutions: dict[str, Institution]) -> None:
    """Teachers (colleges and intermediate schools) and enterprise partners, drawn with a fixed seed."""
    spec = json.loads((demo_dir / "generation.json").read_text(encoding="utf-8"))
    rng = random.Random(SEED)
    role_rng = random.Random(SEED + 1)  # a second stream, so adding teaching roles left the first one's draws alone
    scope: dict[int, list[Occupation]] = {}
    for entry in ScopeEntry.objects.filter(institution__in=institutions.values()).select_related("occupation"):
        scope.setdefault(entry.institution_id, []).append(entry.occupation)
    for code in sorted(institutions):  # a fixed order, so the same seed draws the same people
        institution = institutions[code]
        occupations = sorted(scope.get(institution.pk, []), key=lambda o: o.code)
        fields_of_study = sorted({o.name_vi for o in occupations})
        field_codes = sorted({o.field_code for o in occupations})
        by_name: dict[str, list[Occupation]] = {}
        for occupation in occupations:
            by_name.setdefault(occupation.name_vi, []).append(occupation)
        if institution.type in spec["teachers_per_institution"]:
            for values in _teacher_rows(rng, spec, institution, fields_of_study):
                full_name = values.pop("full_name")
                taught = by_name.get(values["field_of_study"], [])
                # Teachers of an occupation teach theory, practice or both; the others teach general subjects.
                values["teaching_role"] = (
                    _weighted(role_rng, spec["teaching_role_weights"]) if taught else choices.TeachingRole.THEORY
                )
                teacher = upsert(
                    Teacher, lookup={"institution": institution, "full_name": full_name}, values=values, summary=summary
                )
                if {o.pk for o in teacher.occupations.all()} != {o.pk for o in taught}:
                    teacher.occupations.set(taught)
        for values in _partner_rows(rng, spec, field_codes):
            name = values.pop("name")
            upsert(EnterprisePartner, lookup={"institution": institution, "name": name}, values=values, summary=summary)


# ------------------------------------------------------------------------------------------------- users


def _load_users(
    users: list[DemoUser], summary: LoadSummary, authorities: dict[str, Authority], institutions: dict[str, Institution]
) -> list[str]:
    """Create the demo logins (a password is set only when the user is created) and grant their roles."""
    User = get_user_model()
    password_changed = []
    for demo in users:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = User.objects.create_user(
                username=demo.username,
                email=demo.email,
                password=demo.password,
                first_name=demo.first_name,
                last_name=demo.last_name,
            )
            summary.add("users", CREATED)
        else:
            summary.add("users", UNCHANGED)
            if not user.check_password(demo.password):
                password_changed.append(demo.username)
        authority = authorities[demo.authority] if demo.authority else None
        institution = institutions[demo.institution] if demo.institution else None
        exists = Membership.objects.filter(
            user=user, role=demo.role, authority=authority, institution=institution
        ).exists()
        services.grant_role(user=user, role=demo.role, authority=authority, institution=institution)
        summary.add("memberships", UNCHANGED if exists else CREATED)
    return password_changed


def login_lines(users: list[DemoUser], existing: set[str] | None = None) -> list[str]:
    """The demo logins as printable lines: username, password, role and what the role may do."""
    width = max(len(u.username) for u in users)
    pwidth = max(len(u.password) for u in users)
    lines = []
    for u in users:
        missing = "" if existing is None or u.username in existing else "  [not loaded yet]"
        lines.append(f"  {u.username:<{width}}  {u.password:<{pwidth}}  {u.role_label}{missing}")
        lines.append(f"  {'':<{width}}  {'':<{pwidth}}  {u.can_do}")
    return lines
