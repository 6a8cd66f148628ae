"""Print the interview bank as Markdown, and check its links into the notebooks.

``python scripts/qa_bank.py export docs/interview_qa.md`` (``make qa-export``) writes the bank as
one printable, bilingual Markdown file; ``python scripts/qa_bank.py check [--export PATH]``
validates the bank and its links and (with ``--export``) that the printed file is up to date.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from course_utils import config, qa


def export_markdown(bank: qa.Bank) -> str:
    """The whole bank as one printable, bilingual Markdown document (deterministic).

    Grouped by topic in the order of ``bank.topics``; seed entries also show the seed's
    original answer, its translation and the audit.
    """
    counts = {
        level: sum(q.difficulty == level for q in bank.questions) for level in qa.DIFFICULTIES
    }
    seeds = sum(q.source == "seed" for q in bank.questions)
    lines = [
        "# Interview questions and answers · 面试题与答案",
        "",
        "<!-- Generated from data/interview_qa.yaml by `make qa-export` "
        "(python scripts/qa_bank.py export docs/interview_qa.md). Do not edit by hand. -->",
        "",
        f"{len(bank)} questions ({counts['easy']} easy, {counts['medium']} medium, "
        f"{counts['hard']} hard); {seeds} come from the course's seed articles, with the seed's "
        "original answer, its translation and what was wrong with it. Explanations and common "
        "mistakes are in English. The quiz and the runnable demos are in "
        "[notebooks/03_interview_qa.ipynb](../notebooks/03_interview_qa.ipynb).",
        "",
        "## Contents",
        "",
    ]
    sections = []
    for number, topic in enumerate(bank.topics, start=1):
        questions = [q for q in bank.questions if q.topic == topic]
        name = f"{bank.topic_name(topic, 'en')} · {bank.topic_name(topic, 'zh')}"
        if questions:
            lines.append(f"{number}. [{name}](#topic-{topic}) ({len(questions)})")
            sections += [f'<a id="topic-{topic}"></a>', "", f"## {name}", ""]
            sections += [line for question in questions for line in _export_question(question)]
    return "\n".join([*lines, "", *sections]).rstrip() + "\n"


def _export_question(question: qa.Question) -> list[str]:
    seed = question.seed
    source = f"seed: `{seed.file}`, {seed.section}" if seed else question.source
    link = f"[{question.link}](../notebooks/{question.link})"
    lines = [f"### {question.question['en']}", "", question.question["zh"], ""]
    lines += [f"`{question.id}` · {question.difficulty} · {source} · related: {link}", ""]
    if question.is_multiple_choice:
        for letter, option in zip(question.letters, question.options, strict=True):
            lines.append(f"- ({letter}) {option['en']} / {option['zh']}")
        lines += ["", f"**Correct option · 正确选项:** ({question.correct})", ""]
    lines += [f"**Answer.** {question.answer['en']}", "", f"**答案。** {question.answer['zh']}", ""]
    lines += [f"**Explanation.** {question.explanation}", "", "**Common mistakes.**", ""]
    lines += [f"- {mistake}" for mistake in question.mistakes] + [""]
    if seed:
        lines += ["**The seed's answer (original) · 种子材料的原答案:**", ""]
        lines += [f"> {line}" if line else ">" for line in seed.answer_zh.splitlines()] + [""]
        lines += [f"*Translation:* {seed.answer_en}", ""]
        lines += [f"**What was wrong or missing.** {seed.audit}", ""]
    return lines


def check_links(bank: qa.Bank, notebooks_dir: str | Path | None = None) -> list[str]:
    """Problems with the questions' links into the notebooks; empty when every link resolves.

    A link names a notebook in ``notebooks_dir`` (default: the repository's ``notebooks/``) and
    optionally an anchor: an ``<a id="...">`` tag or a heading of that notebook.
    """
    folder = Path(notebooks_dir or config.REPO_ROOT / "notebooks")
    problems, anchors = [], {}
    for question in bank.questions:
        name, _, anchor = question.link.partition("#")
        where = f"entry {question.id!r}, field 'link'"
        if not (folder / name).exists():
            problems.append(f"{where}: {name} does not exist")
            continue
        if anchor and name not in anchors:
            cells = json.loads((folder / name).read_text(encoding="utf-8")).get("cells", [])
            text = "\n".join(
                "".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown"
            )
            anchors[name] = set(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", text))
            for heading in re.findall(r"^#+\s+(.+)$", text, flags=re.MULTILINE):
                slug = re.sub(r"[^a-z0-9 -]", "", heading.lower()).strip()
                anchors[name] |= {heading.strip().replace(" ", "-"), slug.replace(" ", "-")}
        if anchor and anchor not in anchors[name]:
            problems.append(
                f'{where}: anchor #{anchor} is not in {name} (add <a id="{anchor}"></a>)'
            )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (see the module docstring); return the exit status."""
    parser = argparse.ArgumentParser(prog="python scripts/qa_bank.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write the bank as Markdown")
    export.add_argument("path", type=Path)
    check = commands.add_parser("check", help="validate the bank, its links and the export")
    check.add_argument("--export", type=Path, default=None)
    for command in (export, check):
        command.add_argument("--bank", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        bank = qa.load_bank(args.bank)
    except qa.BankError as error:
        print(error, file=sys.stderr)
        return 1
    text = export_markdown(bank)
    if args.command == "export":
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(text, encoding="utf-8")
        print(f"wrote {len(bank)} questions to {args.path}")
        return 0
    problems = check_links(bank)
    if args.export and not (args.export.exists() and args.export.read_text("utf-8") == text):
        problems.append(f"{args.export} is out of date: run make qa-export")
    print(*problems, sep="\n", file=sys.stderr)
    print(f"{len(bank)} questions, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
