"""The evidence library (minh chứng): every write to Evidence and its versions goes through here.

A piece of evidence belongs to one institution; its content is kept in numbered versions (a file or a link),
appended and never overwritten. Files go to the private storage (`vet.storage`), hashed with SHA-256 while
streaming, after their type and size were checked against VET_EVIDENCE_ALLOWED_EXTENSIONS and
VET_EVIDENCE_MAX_BYTES. Staff of the school write; officers of its province read; nobody else sees it.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
import threading
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from . import choices, permissions
from .models import Evidence, EvidenceVersion
from .services import require_permission

METADATA_FIELDS = ("code", "title", "period_start", "period_end", "owner", "expires_on")
MB = 1024 * 1024


def megabytes(size: int) -> str:
    value = f"{size / MB:.1f}"
    return value.removesuffix(".0")


def allowed_extensions() -> list[str]:
    return [e.lower().lstrip(".") for e in settings.VET_EVIDENCE_ALLOWED_EXTENSIONS]


def check_evidence_file(file) -> None:
    """Refuse a file whose type or size is not accepted, naming it; nothing is written before this passes."""
    name = PurePath(file.name or "").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    allowed = allowed_extensions()
    if extension not in allowed:
        if not extension:
            message = _("%(name)s: a file without a type extension is not allowed; allowed: %(allowed)s.")
        else:
            message = _("%(name)s: type .%(extension)s is not allowed; allowed: %(allowed)s.")
        raise ValidationError(
            {"file": message % {"name": name, "extension": extension, "allowed": ", ".join(allowed)}},
            code="file_type",
        )
    limit = settings.VET_EVIDENCE_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            {"file": _("%(name)s is %(size)s MB; the limit is %(limit)s MB.")
             % {"name": name, "size": megabytes(file.size), "limit": megabytes(limit)}},
            code="file_size",
        )
    if not file.size:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}}, code="file_empty")


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _source(file, url: str | None) -> None:
    if file and url:
        raise ValidationError(_("Give either a file or a link, not both."), code="file_and_link")
    if not file and not url:
        raise ValidationError(_("Give a file or a link."), code="no_file_or_link")


def _history_user(instance, user) -> None:
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user


def _create_version(user, evidence: Evidence, number: int, *, file, url, note: str) -> EvidenceVersion:
    _source(file, url)
    version = EvidenceVersion(
        evidence=evidence, number=number, url=url or "", note=note or "",
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if file:
        check_evidence_file(file)
        name = PurePath(file.name).name
        version.original_name = name[:255]
        version.content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        version.size = file.size
        version.sha256 = _sha256(file)
    version.full_clean(exclude=["file"])
    _history_user(version, user)
    if file:
        version.file.save(version.original_name, file, save=False)
        _stored_files().append((version.file.storage, version.file.name))
    version.save()
    return version


_stored = threading.local()  # files stored by the current service call, deleted if it fails


def _stored_files() -> list:
    if not hasattr(_stored, "files"):
        _stored.files = []
    return _stored.files


def _atomic_with_file_cleanup(func):
    """Run `func` atomically; if it fails, delete the files it stored (the rows were rolled back)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        files = _stored_files()
        start = len(files)
        try:
            with transaction.atomic():
                result = func(*args, **kwargs)
        except BaseException:
            for storage, name in files[start:]:
                storage.delete(name)
            del files[start:]
            raise
        del files[start:]
        return result

    return wrapper


def _check_code(institution_id, code: str, exclude_pk=None) -> None:
    rows = Evidence.objects.filter(institution_id=institution_id, code=code)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if code and rows.exists():
        raise ValidationError(
            {"code": _("This institution already has evidence with the code %(code)s.") % {"code": code}},
            code="duplicate_code",
        )


@_atomic_with_file_cleanup
def add_evidence(
    user, *, institution, code, title, period_start=None, period_end=None, owner="", expires_on=None,
    file=None, url=None, note="",
) -> Evidence:
    """Create a piece of evidence with its version 1 (a file or a link), all or nothing."""
    evidence = Evidence(
        institution=institution, code=code, title=title, period_start=period_start, period_end=period_end,
        owner=owner or "", expires_on=expires_on,
    )
    require_permission(user, permissions.ADD, evidence)
    _source(file, url)
    _check_code(institution.pk if institution else None, code)
    evidence.full_clean()
    _history_user(evidence, user)
    evidence.save()
    _create_version(user, evidence, 1, file=file, url=url, note=note)
    return evidence


@_atomic_with_file_cleanup
def add_evidence_version(user, evidence: Evidence, *, file=None, url=None, note="") -> EvidenceVersion:
    """Append the next version; earlier versions and their files stay as they were."""
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)  # concurrent uploads queue here
    require_permission(user, permissions.ADD, EvidenceVersion(evidence=evidence))
    last = evidence.versions.aggregate(last=Max("number"))["last"] or 0
    return _create_version(user, evidence, last + 1, file=file, url=url, note=note)


@transaction.atomic
def update_evidence(user, evidence: Evidence, **fields) -> Evidence:
    """Change the metadata (code, title, period, owner, expiry); the content changes only by a new version."""
    unknown = sorted(set(fields) - set(METADATA_FIELDS))
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed here; upload a new version instead.") for name in unknown},
            code="not_metadata",
        )
    old = Evidence.objects.select_for_update().get(pk=evidence.pk)
    require_permission(user, permissions.CHANGE, old)
    for name, value in fields.items():
        setattr(evidence, name, "" if value is None and name in ("owner",) else value)
    evidence.institution_id = old.institution_id
    changed = [n for n in METADATA_FIELDS if getattr(old, n) != getattr(evidence, n)]
    if not changed:
        return evidence
    _check_code(evidence.institution_id, evidence.code, exclude_pk=evidence.pk)
    evidence.full_clean()
    _history_user(evidence, user)
    evidence.save()
    return evidence


def submitted_uses(evidence: Evidence):
    """Ratings of submitted self-assessments that cite this evidence (they are locked, so it must stay)."""
    return evidence.ratings.filter(self_assessment__status=choices.AssessmentStatus.SUBMITTED)


@transaction.atomic
def delete_evidence(user, evidence: Evidence) -> None:
    """Delete a piece of evidence and its versions' files; refused while a submitted self-assessment cites it."""
    require_permission(user, permissions.DELETE, evidence)
    cited = submitted_uses(evidence).select_related("self_assessment", "standard")
    if cited.exists():
        names = ", ".join(sorted({str(r.self_assessment) for r in cited}))
        raise ValidationError(
            _("%(evidence)s is cited by a submitted self-assessment (%(assessments)s) and cannot be deleted.")
            % {"evidence": evidence.code, "assessments": names},
            code="cited_by_submitted",
        )
    files = [(v.file.storage, v.file.name) for v in evidence.versions.all() if v.file]
    _history_user(evidence, user)
    evidence.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


def version_for_download(user, evidence: Evidence, number: int | None = None) -> EvidenceVersion:
    """The version to serve (the latest unless `number`), after checking that `user` may see the evidence."""
    if not permissions.has_object_permission(user, permissions.VIEW, evidence):
        raise PermissionDenied(_("You may not see this evidence."))
    versions = evidence.versions.all()
    version = versions.filter(number=number).first() if number is not None else versions.order_by("number").last()
    if version is None:
        raise EvidenceVersion.DoesNotExist(_("This evidence has no version %(number)s.") % {"number": number})
    return version


def verify_evidence_file(version: EvidenceVersion) -> bool:
    """Re-hash the stored file and compare with the SHA-256 recorded at upload; False if missing or changed."""
    if not version.file:
        raise ValueError("A link has no stored file to verify.")
    try:
        with version.file.storage.open(version.file.name, "rb") as stored:
            digest = hashlib.sha256()
            for chunk in iter(lambda: stored.read(64 * 1024), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return False
    return digest.hexdigest() == version.sha256
