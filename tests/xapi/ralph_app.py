"""The LRS the push tests start: Ralph's xAPI server (ralph.api:app) on its file-system
backend, which keeps every statement in one JSON-lines file. Ralph 5.1 writes that file with
its backend's default operation, create, so every POST or PUT after the first one fails
("already exists and overwrite is not allowed"); here the backend appends instead, as a file
that accumulates statements must. Nothing else changes: the checks of duplicate and
conflicting ids, authentication and queries are Ralph's own."""
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402 - after the backend is set up

__all__ = ["app"]
