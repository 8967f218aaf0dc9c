"""Private file storage: accreditation evidence is not public, so its files never get a media URL."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT (read at each use, so tests can point it elsewhere); no public URL.

    Downloads go through views that check `vet.permissions` (admin and API)."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a permission-checked view.")


def private_storage() -> PrivateFileSystemStorage:
    """A callable for `FileField(storage=...)`: the migration records this function, not one machine's path."""
    return PrivateFileSystemStorage()
