"""What the spreadsheet commands share: who acts, and a rejected file as a CommandError."""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from vet.importers import ImportRejected
from vet.permissions import SYSTEM


def actor(username: str | None):
    if not username:
        return SYSTEM  # the operator at the command line is trusted like an administrator
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.")
    return user


@contextmanager
def rejected_as_command_error(file: str):
    try:
        yield
    except FileNotFoundError:
        raise CommandError(f"File not found: {file}") from None
    except ImportRejected as exc:
        raise CommandError(f"{file} rejected, nothing was written:\n{exc}") from None
    except PermissionDenied as exc:
        raise CommandError(f"{file} rejected, nothing was written: {exc}") from None
    except ValidationError as exc:
        lines = ([f"{k}: {'; '.join(v)}" for k, v in exc.message_dict.items()] if hasattr(exc, "error_dict")
                 else exc.messages)
        raise CommandError(f"{file} rejected, nothing was written:\n" + "\n".join(lines)) from None
