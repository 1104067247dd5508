"""Reading source files: discovery, decoding and HTML/Markdown to plain text.

Nothing here interprets the readout; that is ``index.readout``. Everything here is pure and
picklable so that files can be prepared in worker processes.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import UnreadableFile

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
MAX_FILE_BYTES = 20 * 1024 * 1024  # a readout is a few KB; anything this large is not one
# Files that describe a folder rather than being readouts; skipped in folder scans (a file named
# explicitly is still indexed).
NOT_READOUTS = frozenset({"readme", "license", "licence", "sources", "changelog", "contributing", "authors"})


def meeting_id_for(path: Path) -> str:
    """The stable id of the meeting read from ``path``: it survives edits of the file and rebuilds."""
    return hashlib.sha1(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def content_hash(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


@dataclass(frozen=True)
class FoundFile:
    path: Path  # absolute, not resolved through symlinks beyond the root
    size: int
    mtime_ns: int


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[FoundFile], list[tuple[str, str]]]:
    """Every supported file under ``paths`` (folders recursively), and (path, reason) for problems.

    Symlinked folders are not followed (no loops); symlinked files are read once.
    """
    found: dict[str, FoundFile] = {}  # by path as text (a Path per file is made once: large folders)
    problems: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw).expanduser().absolute()
        if path.is_dir():
            for file_path in _walk(path, problems):
                _add(found, file_path, problems)
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                _add(found, str(path), problems)
            else:
                problems.append((str(path), f"unsupported file type {path.suffix or '(none)'!r}"))
        elif path.exists() or path.is_symlink():
            problems.append((str(path), "not a regular file or folder (broken link?)"))
        else:
            problems.append((str(path), "no such file or folder"))
    return [found[key] for key in sorted(found)], problems


def _walk(root: Path, problems: list[tuple[str, str]]) -> Iterator[str]:
    def on_error(err: OSError) -> None:
        problems.append((str(err.filename or root), err.strerror or str(err)))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            stem, suffix = os.path.splitext(name)
            if suffix.lower() in SUPPORTED_SUFFIXES and stem.lower() not in NOT_READOUTS:
                yield os.path.join(dirpath, name)


def _add(found: dict[str, FoundFile], path: str, problems: list[tuple[str, str]]) -> None:
    try:
        st = os.stat(path)
    except OSError as err:
        problems.append((path, err.strerror or str(err)))
        return
    if not stat.S_ISREG(st.st_mode):  # a pipe or device named x.txt: reading it would block
        problems.append((path, "not a regular file (a pipe, device or socket)"))
        return
    found[path] = FoundFile(Path(path), st.st_size, st.st_mtime_ns)


# -- decoding -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warning: str | None = None


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, path: str = "") -> Decoded:
    """Decode a readout: BOMs first, then UTF-8, BOM-less UTF-16, and cp1252 as a last resort."""
    if not data.strip():
        raise UnreadableFile(path, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding.replace("-sig", "") + " (BOM)")
            except UnicodeDecodeError as err:
                raise UnreadableFile(path, f"invalid {encoding} text: {err.reason}") from None
    utf16 = _guess_bomless_utf16(data)
    if utf16:
        try:
            return Decoded(data.decode(utf16), utf16)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise UnreadableFile(path, "binary file (contains NUL bytes), not a text readout")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if _looks_binary(text):
        raise UnreadableFile(path, "binary file, not a text readout")
    return Decoded(text, "cp1252", "not valid UTF-8; decoded as Windows-1252 (cp1252)")


def _guess_bomless_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > 0.02 * max(len(sample), 1) or sample.count("\ufffd") > 0.05 * max(len(sample), 1)


# -- markup to text -----------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table td th tr ul caption".split()
)
_SKIP_TAGS = frozenset("script style noscript iframe object embed template svg head button select".split())


class _TextExtractor(HTMLParser):
    """Collects visible text, one paragraph per block element. Never executes or fetches anything."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip_depth = 0
        self.title: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = (self.title or "") + data
        if self._skip_depth == 0:
            self._current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def close(self) -> None:
        super().close()
        self._flush()


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    blocks = parser.blocks
    title = " ".join((parser.title or "").split())
    if title and (not blocks or blocks[0] != title) and title not in blocks[:3]:
        blocks = [title, *blocks]
    return "\n\n".join(blocks)


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w*])\*(?!\s)|(?<!\w)_(?!\s))")


def markdown_to_text(markup: str) -> str:
    """Plain text of a Markdown readout; YAML front matter's title/date become the header lines."""
    header: list[str] = []
    match = _FRONT_MATTER.match(markup)
    if match:
        markup = markup[match.end() :]
        for line in match.group(1).splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() in ("title", "date") and value.strip():
                header.append(value.strip().strip("'\""))
    text = _MD_LINK.sub(r"\1", markup)
    text = _MD_HEADING.sub("", text)
    text = _MD_EMPHASIS.sub("", text)
    return "\n\n".join(header + [text]) if header else text


def read_source(path: Path) -> tuple[str, bytes, Decoded]:
    """(plain text, raw bytes, decoding info) of one source file; raises UnreadableFile."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile(str(path), "not a regular file (a pipe, device or socket)")
        size = st.st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableFile(str(path), f"file too large for a readout ({size / 1_048_576:.0f} MB)")
        data = path.read_bytes()
    except OSError as err:
        raise UnreadableFile(str(path), err.strerror or str(err)) from None
    decoded = decode(data, str(path))
    suffix = path.suffix.lower()
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if suffix in (".html", ".htm"):
        text = html_to_text(text)
    elif suffix in (".md", ".markdown"):
        text = markdown_to_text(text)
    if not text.strip():
        raise UnreadableFile(str(path), "no readable text")
    return text, data, decoded
