"""The figures in docs/ that say they are exact, rerun: each command below
(the page's own, or a cheaper one that prints the same figures) is run
and every line the page shows after it must be what it prints today
(times aside). The figures of slower commands carry their date and
command on their page."""
import platform
import re
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import test_course as course
from tests.support import ROOT

DOCS = ROOT / "docs"

WARMUP = ('python -m microgpt compare data/names.txt --steps 300 --lr 0.1 --variant "warmup 100: --warmup 100"'
          ' --variant "lr 0.01: --lr 0.01"')
GELU = ('python -m microgpt compare names.txt --steps 300 --variant "seed 42 again: --seed 42"'
        ' --variant "gelu: --activation gelu" --variant "lr 0.02: --lr 0.02" --svg gelu.svg --delta')
# (page, the command as the page gives it, the commands run instead (None: the
# same, without its pictures), the first shown line compared (None: all))
FIGURES = [
    ("experiments.md", WARMUP + " --svg warmup.svg", [WARMUP.replace("data/", "")], None),
    ("instruments.md", "python -m microgpt scale --d-k 4,16,64,256,1024 --svg scale.svg",
     ["python -m microgpt scale --d-k 4,16,64,256,1024"], None),
    # the gradient and depth tables are read from fresh weights: one training step prints them too
    ("why-attention.md", "The default run, `python -m microgpt longrange`", ["python -m microgpt longrange --steps 1"],
     r"^\|d loss"),
    ("instruments.md", "python -m microgpt inspect model.json emma --stream",
     ["python -m microgpt.train names.txt --steps 300 --out model.json",
      "python -m microgpt inspect model.json emma --stream"], None),
    ("instruments.md", GELU, [GELU], None),
    ("experiments.md", "python -m microgpt inspect count-none.json abcdefg --numbers",
     ["python -m microgpt.train count.txt --steps 500 --loss-on response --val-fraction 0.1 --eval-every 500"
      " --num-samples 1 --position none --out count-none.json",
      "python -m microgpt inspect count-none.json abcdefg --numbers"], None),
]


def fenced_blocks(text):
    """The page's fenced blocks, in order: (the line number of the opening
    fence, the lines inside)."""
    blocks, inside = [], None
    for number, line in enumerate(text.splitlines()):
        if inside is None and line.startswith("```"):
            inside = (number, [])
        elif inside is not None and line.strip() == "```":
            blocks.append(inside)
            inside = None
        elif inside is not None:
            inside[1].append(line)
    return blocks


def shown_after(page, command):
    """The lines of the first fenced block of output after the line that
    gives command."""
    text = (DOCS / page).read_text(encoding="utf-8")
    at = text[:text.index(command)].count("\n")
    return next(lines for start, lines in fenced_blocks(text) if start > at and not lines[0].startswith("python "))


def printed_by(commands, folder):
    if any("count.txt" in c for c in commands):  # the page's file, made by the page's line
        course.shell(count_line(), folder)
    return "\n".join(course.shell(c, folder) for c in commands)


def count_line():
    text = (DOCS / "experiments.md").read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if line.startswith("python -c") and "> count.txt" in line)


# CPython's figures only: at --lr 0.1 a last-bit difference between PyPy's float functions and
# CPython's grows over 300 steps (PyPy prints 2.5562 and 2.8418; the lr 0.01 row is the same)
CPYTHON_ONLY = {WARMUP + " --svg warmup.svg"}


class DocFiguresTest(unittest.TestCase):
    def test_the_shown_output_is_what_the_commands_print(self):
        for page, command, commands, first in FIGURES:
            if command in CPYTHON_ONLY and platform.python_implementation() != "CPython":
                continue
            with self.subTest(command), tempfile.TemporaryDirectory() as folder:
                shown = shown_after(page, command)
                if first:
                    shown = shown[next(i for i, line in enumerate(shown) if re.search(first, line)):]
                printed = printed_by(commands, folder)
                self.assertGreater(len(shown), 3)
                for line in shown:
                    if course.pattern_of(line) and not re.search(course.pattern_of(line), printed):
                        self.fail("%s: shown but not printed: %s" % (page, line))

    def test_the_positions_table(self):
        text = (DOCS / "experiments.md").read_text(encoding="utf-8")
        rows = re.findall(r"^\| (count|last) \| (learned|none) \| ([\d.]+) \| ([\d.]+)% \|$", text, re.M)
        self.assertEqual(len(rows), 4)
        with tempfile.TemporaryDirectory() as folder:
            for line in text.splitlines():
                if line.startswith("python -c") and "> last.txt" in line:
                    course.shell(line, folder)
            course.shell(count_line(), folder)
            for task, position, loss, exact in rows:
                name = task if position == "learned" else task + "-none"
                flags = "" if position == "learned" else " --position none"
                trained = course.shell("python -m microgpt.train %s.txt --steps 500 --loss-on response --val-fraction 0.1"
                                       " --eval-every 500 --num-samples 1%s --out %s.json" % (task, flags, name), folder)
                self.assertIn("held-out after step  500 | loss %s" % loss, trained)
                answered = course.shell("python -m microgpt.sample %s.json --eval %s.txt --held-out" % (name, task), folder)
                self.assertIn("exact: %s%%" % exact, answered)


if __name__ == "__main__":
    unittest.main()
