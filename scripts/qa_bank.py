"""Print the interview bank (Markdown and HTML), check its links, and report its statistics.

``python scripts/qa_bank.py export docs/interview_qa.md --html docs/interview_qa.html``
(``make qa-export``) writes the bank as one printable, bilingual document;
``python scripts/qa_bank.py check [--export PATH] [--html PATH]`` validates the bank
(:func:`course_utils.qa.load_bank`), its links into the notebooks, and that the printed files are
up to date; ``python scripts/qa_bank.py stats`` prints the counts by topic, difficulty and
language field, the correct-letter distribution and the "always the same letter" score.

Link rule: ``NN_name.ipynb`` or ``NN_name.ipynb#anchor``, where the notebook exists in
``notebooks/`` and the anchor is either an ``<a id="anchor"></a>`` (or ``name=``) tag in one of
its Markdown cells, or the id JupyterLab and nbconvert (nbviewer) give a Markdown heading: the
heading's rendered text (Markdown formatting removed) with every space replaced by ``-``, case
and punctuation kept. ``## Compute attention by hand`` is ``#Compute-attention-by-hand``.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from markdown_it import MarkdownIt

from course_utils import config, qa

LETTERS_SHOWN = "abcd"
_CSS = """
body { font-family: "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 48em; margin: 2em auto; padding: 0 1em; line-height: 1.5; color: #222; }
h2 { border-bottom: 1px solid #999; margin-top: 2em; }
h3 { margin-bottom: 0.2em; }
blockquote { color: #555; border-left: 3px solid #ccc; margin-left: 0; padding-left: 1em; }
code { font-size: 90%; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  h2 { break-before: page; }
  h3 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def export_markdown(bank: qa.Bank) -> str:
    """The whole bank as one printable, bilingual Markdown document (deterministic).

    Grouped by topic in the order of ``bank.topics``; every text in English and Chinese; seed
    entries also show the seed's original answer, its translation and the audit.
    """
    counts = Counter(q.difficulty for q in bank.questions)
    seeds = sum(q.source == "seed" for q in bank.questions)
    lines = [
        "# Interview questions and answers · 面试题与答案",
        "",
        "<!-- Generated from data/interview_qa.yaml by `make qa-export` "
        "(python scripts/qa_bank.py export). Do not edit by hand. -->",
        "",
        f"{len(bank)} questions ({counts['easy']} easy, {counts['medium']} medium, "
        f"{counts['hard']} hard); {seeds} come from the course's seed articles, with the seed's "
        "original answer, its translation and what was wrong with it. Every question, answer, "
        "option, explanation and common mistake is given in English and in Chinese. The quiz and "
        "the runnable demos are in "
        "[notebooks/03_interview_qa.ipynb](../notebooks/03_interview_qa.ipynb).",
        "",
        f"共 {len(bank)} 道题（简单 {counts['easy']}、中等 {counts['medium']}、困难 "
        f"{counts['hard']}），其中 {seeds} 道来自课程的种子文章。每道题的题目、答案、选项、"
        "详细解释和常见错误均有中英文两个版本。",
        "",
        "## Contents · 目录",
        "",
    ]
    sections = []
    for number, topic in enumerate(bank.topics, start=1):
        questions = [q for q in bank.questions if q.topic == topic]
        name = bank.topic_name(topic, "both")
        if questions:
            lines.append(f"{number}. [{name}](#topic-{topic}) ({len(questions)})")
            sections += [f'<a id="topic-{topic}"></a>', "", f"## {name}", ""]
            sections += [line for question in questions for line in _export_question(question)]
    return "\n".join([*lines, "", *sections]).rstrip() + "\n"


def _both(label: str, text: dict) -> list[str]:
    return [f"**{label}.** {text['en']}", "", text["zh"], ""]


def _export_question(question: qa.Question) -> list[str]:
    seed = question.seed
    source = f"seed: `{seed['file']}`, {seed['section']}" if seed else question.source
    links = ", ".join(f"[{link}](../notebooks/{link})" for link in question.link)
    meta = [f"`{question.id}`", question.difficulty, source] + (
        [f"related: {links}"] if links else []
    )
    lines = [f"### {question.question['en']}", "", question.question["zh"], ""]
    lines += [" · ".join(meta), ""]
    if question.is_multiple_choice:
        for letter, option in zip(question.letters, question.options, strict=True):
            both = (
                option["en"] if option["zh"] == option["en"] else f"{option['en']} / {option['zh']}"
            )
            lines.append(f"- ({letter}) {both}")
        lines += ["", f"**Correct option · 正确选项:** ({question.correct})", ""]
    lines += _both("Answer · 答案", question.answer)
    lines += _both("Explanation · 详细解释", question.explanation)
    lines += ["**Common mistakes · 常见错误.**", ""]
    lines += [f"- {m['en']}\n\n  {m['zh']}" for m in question.mistakes] + [""]
    if question.sources:
        cited = [f"- [{s['title']}]({s['url']}) ({s['date']})" for s in question.sources]
        lines += ["**Sources · 出处.**", "", *cited, ""]
    if seed:
        lines += ["**The seed's answer (original) · 种子材料的原答案:**", ""]
        lines += [f"> {line}" if line else ">" for line in seed["answer_zh"].splitlines()] + [""]
        lines += [f"*Translation:* {seed['answer_en']}", ""]
        lines += [f"**What was wrong or missing.** {seed['audit']}", ""]
    return lines


def export_html(markdown: str) -> str:
    """The printable Markdown as one standalone HTML page (markdown-it-py, print stylesheet)."""
    body = _markdown().render(markdown)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Interview questions and answers · 面试题与答案</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def notebook_anchors(path: Path) -> set[str]:
    """The link targets of a notebook: ``<a id>`` tags and JupyterLab's heading ids."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    text = "\n\n".join("".join(c["source"]) for c in cells if c.get("cell_type") == "markdown")
    anchors = set(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", text))
    md = _markdown()
    tokens = md.parse(text)
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type == "heading_open":
            rendered = md.renderer.render(inline.children or [], md.options, {})
            anchors.add(html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip().replace(" ", "-"))
    return anchors


def check_links(bank: qa.Bank, notebooks_dir: str | Path | None = None) -> list[str]:
    """Problems with the questions' links into the notebooks; empty when every link resolves."""
    folder = Path(notebooks_dir or config.REPO_ROOT / "notebooks")
    problems, anchors = [], {}
    for question in bank.questions:
        for link in question.link:
            name, _, anchor = link.partition("#")
            where = f"entry {question.id!r}, field 'link'"
            if not (folder / name).is_file():
                problems.append(f"{where}: notebooks/{name} does not exist")
                continue
            if name not in anchors:
                anchors[name] = notebook_anchors(folder / name)
            if anchor and anchor not in anchors[name]:
                known = ", ".join(sorted(a for a in anchors[name] if a[:1].isupper())[:8])
                problems.append(
                    f"{where}: {name} has no heading or <a id> for #{anchor} (headings: {known} ...)"
                )
    return problems


def same_letter_score(questions: Sequence[qa.Question], letter: str, attempts: int = 1000) -> float:
    """Share right when answering ``letter`` every time on the shuffled multiple-choice quiz.

    Attempt ``i`` asks question ``i % n`` (of the ``n`` multiple-choice questions) shuffled as the
    quiz would on attempt ``i // n`` with seed 0. Chance is the mean of 1/(number of options).
    """
    choice = [q for q in questions if q.is_multiple_choice]
    if not choice or attempts < 1:
        raise ValueError("need at least one multiple-choice question and one attempt.")
    shown = [
        qa.shuffle_options(choice[i % len(choice)], f"0/{i // len(choice)}")[0]
        for i in range(attempts)
    ]
    return sum(q.correct == letter for q in shown) / attempts


def bank_stats(bank: qa.Bank, attempts: int = 1000) -> dict:
    """Counts by topic, difficulty, source and language field; letters; same-letter scores."""
    questions = bank.questions
    choice = [q for q in questions if q.is_multiple_choice]
    texts = {"question": 1, "answer": 1, "explanation": 1}
    fields = {name: len(questions) * n for name, n in texts.items()}
    fields |= {"mistakes": sum(len(q.mistakes) for q in questions)}
    fields |= {"options": sum(len(q.options) for q in questions)}
    return {
        "questions": len(questions),
        "topics": dict(Counter(q.topic for q in questions)),
        "difficulty": {d: sum(q.difficulty == d for q in questions) for d in qa.DIFFICULTIES},
        "source": dict(Counter(q.source for q in questions)),
        "multiple_choice": len(choice),
        "texts_per_language": fields,
        "with_sources": sum(bool(q.sources) for q in questions),
        "correct_letters": dict(sorted(Counter(q.correct for q in choice).items())),
        "chance": sum(1 / len(q.options) for q in choice) / max(len(choice), 1),
        "same_letter_score": {
            letter: same_letter_score(questions, letter, attempts) for letter in LETTERS_SHOWN
        }
        if choice
        else {},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (see the module docstring); return the exit status."""
    parser = argparse.ArgumentParser(prog="python scripts/qa_bank.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write the bank as Markdown (and HTML)")
    export.add_argument("path", type=Path)
    check = commands.add_parser("check", help="validate the bank, its links and the exports")
    check.add_argument("--export", type=Path, default=None)
    stats = commands.add_parser("stats", help="print counts, letters and the same-letter score")
    for command in (export, check):
        command.add_argument("--html", type=Path, default=None)
    for command in (export, check, stats):
        command.add_argument("--bank", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        bank = qa.load_bank(args.bank)
    except qa.BankError as error:
        print(error, file=sys.stderr)
        return 1
    if args.command == "stats":
        print(json.dumps(bank_stats(bank), indent=1, ensure_ascii=False))
        return 0
    text = export_markdown(bank)
    outputs = {args.html: export_html(text)} if args.html else {}
    if args.command == "export":
        for path, content in {args.path: text, **outputs}.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            print(f"wrote {len(bank)} questions to {path}")
        return 0
    problems = check_links(bank)
    for path, content in ({args.export: text} if args.export else {}).items() | outputs.items():
        if not (path.exists() and path.read_text("utf-8") == content):
            problems.append(f"{path} is out of date: run make qa-export")
    print(*problems, sep="\n", file=sys.stderr)
    print(f"{len(bank)} questions, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
