"""Typed errors of the core. The CLI prints ``str(error)`` as one line; the GUI shows it in a dialog."""


class ArchiveError(Exception):
    """Base class: something the user can understand and act on."""


class UnknownMeeting(ArchiveError):
    def __init__(self, meeting_id: str):
        super().__init__(f"no meeting with id {meeting_id!r} in the archive")
        self.meeting_id = meeting_id


class BadQuery(ArchiveError):
    """The search text cannot be parsed."""


class IndexLocked(ArchiveError):
    """Another process is writing to the index."""


class CorruptIndex(ArchiveError):
    """The index on disk cannot be read; it can be rebuilt from the source files."""


class UnreadableFile(ArchiveError):
    """A source file cannot be read or decoded."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class BadOverlay(ArchiveError):
    """The user's gazetteer overlay file is malformed."""


class Cancelled(ArchiveError):
    """A long operation was cancelled by the user."""


class UserDataError(ArchiveError):
    """The bookmarks or saved-searches file cannot be read or written."""


class UnknownBookmark(ArchiveError):
    def __init__(self, meeting_id: str):
        super().__init__(f"meeting {meeting_id!r} is not bookmarked")
        self.meeting_id = meeting_id


class UnknownSavedSearch(ArchiveError):
    def __init__(self, name: str):
        super().__init__(f"no saved search named {name!r}")
        self.name = name


class ExportError(ArchiveError):
    """An export cannot be written (existing file without --force, unwritable folder, ...)."""
