"""Bad input files: each is reported with its path and a reason while the rest is indexed."""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from index import ingest
from index.archive import Archive

from .helpers import make_readouts, run_cli, slow

GOOD = "Minister Kamikawa met Minister Son in Hanoi on October 10, 2023.\n\nThey discussed trade."


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x00\xff\x00\x00" * 4
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _bad_folder(root: Path) -> dict[str, str | None]:
    """Files by name -> a word of the expected reason (None: must be indexed)."""
    root.mkdir()
    expect: dict[str, str | None] = {}

    def put(name: str, data: bytes, reason: str | None) -> None:
        (root / name).write_bytes(data)
        expect[name] = reason

    put("empty.txt", b"", "empty")
    put("blank.txt", b" \n\t\n", "empty")
    put("image.txt", _png(), "binary")
    put("program.txt", Path("/bin/sh").resolve().read_bytes()[:65536], "binary")
    with open(root / "huge.txt", "wb") as handle:  # 50 MB, sparse: instant to make
        handle.truncate(50 * 1024 * 1024)
    expect["huge.txt"] = "too large"
    put("cp1252.txt", ("Caf\u00e9 \u201cquoted\u201d \u2013 " + GOOD).encode("cp1252"), None)
    put("utf16-bom.txt", GOOD.encode("utf-16"), None)
    put("utf16le-nobom.txt", GOOD.encode("utf-16-le"), None)
    put("utf16be-nobom.txt", GOOD.encode("utf-16-be"), None)
    put("invalid-utf8.txt", GOOD.encode() + b"\xff\xfe\xc3\x28 broken \x80", None)  # cp1252 + warning
    put(
        "broken.html", b"<html><body><p>" + GOOD.encode() + b"<div><p>unclosed <b>bold <table><tr><td>x", None
    )
    hostile = (
        "<html><head><title>Hostile</title><script>alert('head')</script></head><body>"
        f"<p>{GOOD}</p><script>document.write('INJECTED')</script>"
        "<iframe src='https://evil.example/'>IFRAMETEXT</iframe>"
        "<p><a href='javascript:alert(1)'>click here</a> and <img src=x onerror=alert(2)></p>"
        "<style>body{display:none}</style><p>After the links.</p></body></html>"
    )
    put("hostile.html", hostile.encode(), None)
    put("name with spaces.txt", GOOD.encode(), None)
    put("ünïcødé 会談.txt", GOOD.encode(), None)
    put("new\nline.txt", GOOD.encode(), None)
    loop = root / "loop"
    loop.mkdir()
    os.symlink(loop, loop / "again")  # a symlink loop: folder links are not followed
    os.symlink(root / "nowhere.txt", root / "dangling.txt")
    expect["dangling.txt"] = "No such file"
    os.mkfifo(root / "pipe.txt")  # not a regular file: must not hang the indexer
    expect["pipe.txt"] = "not a regular file"
    (root / "folder.txt").mkdir()  # a folder named like a readout
    put("good.txt", GOOD.encode(), None)
    return expect


def test_bad_files_are_reported_with_path_and_reason_and_the_rest_indexed(tmp_path):
    folder = tmp_path / "bad"
    expect = _bad_folder(folder)
    with Archive.open(tmp_path / "data") as archive:
        report = archive.index_paths([folder])
        skipped = {Path(s.path).name: s.reason for s in report.skipped}
        for name, reason in expect.items():
            if reason is None:
                assert name not in skipped, (name, skipped.get(name))
            else:
                assert name in skipped and reason.lower() in skipped[name].lower(), (name, skipped)
        indexed = {Path(m.source).name for m in archive.meetings()}
        assert indexed == {n for n, r in expect.items() if r is None}
        warned = {Path(w.path).name for w in report.warnings}
        assert {"cp1252.txt", "invalid-utf8.txt"} <= warned
        cafe = archive.search("Café")
        assert [Path(archive.get(h.id).source).name for h in cafe.hits] == ["cp1252.txt"]
        hostile = archive.get(next(m.id for m in archive.meetings() if m.source.endswith("hostile.html")))
        text = hostile.parsed.text
        assert "click here" in text and "After the links." in text and "Kamikawa" in text
        for gone in ("alert", "INJECTED", "IFRAMETEXT", "javascript", "display:none", "<"):
            assert gone not in text
        assert archive.search("INJECTED OR IFRAMETEXT OR alert").total == 0


def test_bad_files_through_the_cli_one_line_each(tmp_path):
    folder = tmp_path / "bad"
    expect = _bad_folder(folder)
    done = run_cli(tmp_path / "data", "index", str(folder))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for name, reason in expect.items():
        if reason is not None and "\n" not in name:
            line = next(
                x for x in done.stderr.splitlines() if x.startswith("readout-archive: skipped") and name in x
            )
            assert reason.lower() in line.lower(), line


def test_unreadable_file_permissions(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any file: the permission case is covered by the next test")
    folder = tmp_path / "perm"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD)
    secret = folder / "secret.txt"
    secret.write_text(GOOD)
    secret.chmod(0)
    with Archive.open(tmp_path / "data") as archive:
        report = archive.index_paths([folder])
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [("secret.txt", "Permission denied")]


def test_unreadable_file_reported_even_as_root(tmp_path, monkeypatch):
    folder = tmp_path / "perm"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD)
    (folder / "secret.txt").write_text(GOOD)
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with Archive.open(tmp_path / "data") as archive:
        archive.workers = 0  # the patch lives in this process
        report = archive.index_paths([folder])
        assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
            ("secret.txt", "Permission denied")
        ]
        assert archive.count() == 1


def test_an_unreadable_subfolder_is_reported(tmp_path, monkeypatch):
    folder = tmp_path / "tree"
    make_readouts(folder, 2, Path(__file__).resolve().parents[2] / "resources" / "sample")
    (folder / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found, problems = ingest.discover([folder])
    assert len(found) == 2
    assert [(Path(p).name, r) for p, r in problems] == [("locked", "Permission denied")]


def _many_tiny(folder: Path, count: int) -> None:
    folder.mkdir()
    for n in range(count):
        (folder / f"m{n:05d}.txt").write_text(
            f"Minister Tanaka met delegate {n} in Tokyo.\n\nCode w{n:05d}.\n"
        )


@slow
@pytest.mark.slow
def test_a_folder_of_10000_tiny_files(tmp_path):
    folder = tmp_path / "many"
    _many_tiny(folder, 10_000)
    with Archive.open(tmp_path / "data") as archive:
        report = archive.index_paths([folder])
        assert report.added == 10_000 and not report.skipped
        assert archive.count() == 10_000
        assert archive.search("w09999").total == 1
        assert archive.search("Tanaka", limit=None, snippets=0).total == 10_000


def test_a_folder_of_1000_tiny_files(tmp_path):
    """The quick stand-in for the 10,000-file folder (run that with READOUT_ARCHIVE_SLOW=1)."""
    folder = tmp_path / "many"
    _many_tiny(folder, 1000)
    with Archive.open(tmp_path / "data") as archive:
        report = archive.index_paths([folder])
        assert report.added == 1000 and not report.skipped
        assert archive.search("w00999").total == 1


def test_source_copy_is_untouched(tmp_path, sample_dir):
    """Indexing never writes into the source folders."""
    folder = tmp_path / "src"
    shutil.copytree(sample_dir, folder)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")}
    with Archive.open(tmp_path / "data") as archive:
        archive.index_paths([folder])
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")} == before
