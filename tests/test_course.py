"""docs/course.md holds: every command on the page runs, every line of
output it shows is what the command prints today (times aside), and what
each answer claims is in the numbers (a direction or a bound, checked here
on the output)."""
import math
import re
import shlex
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import ROOT, run

COURSE = ROOT / "docs" / "course.md"

# Commands the page gives at full length that take minutes: the test runs
# them this short, and checks only that they run and print the table the
# page describes (their figures carry their date and command on the page).
SHORTER = {
    "python -m microgpt seq2seq --task reverse --arch gru --out gru.json":
        "python -m microgpt seq2seq --task reverse --arch gru --steps 20 --out gru.json",
    "python -m microgpt seq2seq --task reverse --arch gru-attention --out gru-attention.json":
        "python -m microgpt seq2seq --task reverse --arch gru-attention --steps 20 --out gru-attention.json",
}
SHOWN_NOT_PRINTED = {"What is the bottleneck attention removed?"}  # a summary of two dated runs


def sections(text):
    """{question: (commands, shown output lines)} from the page: a fenced
    block whose lines all start with `python ` holds commands, any other
    fenced block what they print."""
    found, title, inside, block = {}, None, False, []
    for line in text.splitlines():
        if line.startswith("## "):
            title = line[3:].strip()
            found[title] = ([], [])
        elif line.strip() == "```" and title:
            if inside:
                commands = all(b.startswith("python ") for b in block if b.strip())
                found[title][0 if commands else 1].extend(b for b in block if b.strip())
                block = []
            inside = not inside
        elif inside:
            block.append(line)
    return found


def shell(command, folder):
    """Run one of the page's lines: `python ARGS [> FILE]`, under this
    interpreter; return its stdout (written to FILE too when redirected)."""
    command = SHORTER.get(command, command)
    words = shlex.split(command)
    target = None
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    assert words[0] == "python", command
    result = run(*words[1:], cwd=folder, timeout=900)
    if result.returncode != 0:
        raise AssertionError("%s: exit %d\n%s" % (command, result.returncode, result.stderr[-2000:]))
    if target:
        Path(folder, target).write_text(result.stdout, encoding="utf-8")
    return result.stdout


def pattern_of(shown):
    """A regex for one line the page shows: its words in order, whitespace
    free; a `...` ends what is compared; a trailing `(note)` after two spaces
    is the page's, not the program's; a figure with one decimal is a time;
    `…/` stands for the folder a path starts in."""
    shown = shown.split("...")[0].rstrip(", ")
    shown = re.sub(r"\s{2,}\([^)]*\)$", "", shown)
    words = [r"\S+" if re.fullmatch(r"\d+\.\d", w) else r"\S*" + re.escape(w[1:]) if w.startswith("…/")
             else re.escape(w) for w in shown.split()]
    return r"\s+".join(words)


def figure(pattern, text, group=1):
    match = re.search(pattern, text, re.M)
    if not match:
        raise AssertionError("no %r in:\n%s" % (pattern, text[-3000:]))
    return float(match.group(group))


def scale_holds(test, outs):
    rows = [list(map(float, line.split())) for line in outs[0].splitlines()
            if re.match(r"\s+\d+\s+\d", line)]
    test.assertEqual([r[0] for r in rows], [4, 16, 64, 256])
    for d_k, spread, root, none, scaled, _ in rows:
        test.assertAlmostEqual(spread / root, 1, delta=0.1)  # q.k spreads sqrt(d_k) wide
        test.assertGreater(scaled, 1.5)                       # scaled: never near one-hot
    unscaled = [r[3] for r in rows]
    test.assertEqual(unscaled, sorted(unscaled, reverse=True))  # unscaled: sharper as d_k grows
    test.assertLess(unscaled[-1], 0.5 * math.log(8))


def mask_holds(test, outs):
    baseline = figure(r"^baseline\s+\d+\s+([\d.]+)", outs[0])
    unmasked = figure(r"^no mask\s+\d+\s+([\d.]+)", outs[0])
    test.assertLess(unmasked, baseline - 0.5)  # it reads the answer
    samples = re.search(r"^no mask\s+\d+\s+\S+\s+\S+\s+(.*)$", outs[0], re.M).group(1).split(", ")
    test.assertGreater(samples.count("(empty)"), len(samples) / 2)


def kinds_hold(test, outs):
    text = outs[1]
    blocks = re.split(r"\n(?=layer \d)", text)
    kinds = {b.split("\n")[0].split(", ")[2].split(":")[0]: b for b in blocks if b.startswith("layer")}
    test.assertEqual(set(kinds), {"encoder self-attention", "decoder self-attention", "cross-attention"})
    test.assertNotIn("·", kinds["encoder self-attention"])  # the source: every row sees every column
    test.assertNotIn("·", kinds["cross-attention"])
    rows = kinds["decoder self-attention"].splitlines()[2:]
    for i, row in enumerate(rows):  # the causal mask: row i sees columns 0..i
        test.assertEqual(row.split()[1:].count("·"), len(rows) - 1 - i, row)


def gradients_hold(test, outs):
    text = outs[0]
    gpt_key = figure(r"^17 \(key\)\s+(\S+)", text)
    rnn_key = figure(r"^17 \(key\)\s+\S+\s+(\S+)", text)
    rnn_near = figure(r"^0\s+\S+\s+(\S+)", text)
    test.assertGreater(gpt_key, 1e-3)             # attention: one step away at any distance
    test.assertLess(rnn_key, 1e-6 * rnn_near)     # the RNN: vanished
    depths = re.findall(r"^(\d+)\s+(\d+) / [\d,]+\s+(\d+) / ", text, re.M)
    test.assertEqual([d[1] for d in depths], [depths[0][1]] * len(depths))  # the GPT's: constant
    test.assertLess(int(depths[0][2]), int(depths[-1][2]))                  # the RNN's: grows with T


def heads_hold(test, outs):
    rows = re.findall(r"^0\.\d\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+\w+",
                      outs[1], re.M)
    test.assertEqual(len(rows), 4)
    for row in rows:
        shares, entropy, uniform = list(map(float, row[:4])), float(row[4]), float(row[5])
        test.assertAlmostEqual(sum(shares), 1, delta=0.002)
        test.assertLess(entropy, uniform)
        test.assertGreater(entropy, 0.9 * uniform)  # spread, as the page says
    costs = [float(c) for c in re.findall(r"\(\+(\d\.\d+)\)", outs[2])]
    test.assertEqual(len(costs), 3)
    test.assertTrue(all(0 < c < 0.05 for c in costs), costs)
    test.assertGreater(costs[2], max(costs[:2]))  # both silenced cost more than either


def positions_hold(test, outs):
    names = [figure(r"^%s\s+\d+\s+([\d.]+)" % name, outs[0]) for name in ("baseline", "no position")]
    test.assertLess(abs(names[1] - names[0]), 0.05)  # names: barely hurts
    learned, none = (figure(r"held-out after step\s+500 \| loss ([\d.]+)", o) for o in outs[2:4])
    test.assertLess(learned, 0.05)
    test.assertGreater(none, 0.5 * math.log(4) - 0.05)  # the answer and the closing BOS: at best log(4) / 2
    right, wrong = (figure(r"^exact: ([\d.]+)%", o) for o in outs[4:6])
    test.assertGreater(right, 95)
    test.assertLess(wrong, 40)


def size_holds(test, outs):
    text = outs[0]
    counts = [int(n) for n in re.findall(r"^\S+\s+\d+ x \d+\s+(\d+)$", text, re.M)]
    total = int(figure(r"^total\s+(\d+)", text))
    test.assertEqual(sum(counts), total)
    test.assertEqual(total, 124439808)  # Hugging Face's GPT2LMHeadModel, tied
    test.assertEqual(figure(r"^wte\s+50257 x 768\s+(\d+)", text), 50257 * 768)


def bottleneck_runs(test, outs):
    for text in outs:
        test.assertRegex(text, r"exact match by source length:\nlength\s+pairs\s+right\s+exact match")


def finetuning_holds(test, outs):
    scratch, pretrained = (figure(r"held-out after step\s+100 \| loss ([\d.]+)", o) for o in outs[1:3])
    test.assertLess(pretrained, scratch)


def patches_hold(test, outs):
    for text, p in zip(outs, (4, 2)):
        n = (8 // p) ** 2
        test.assertRegex(text, r"tokens: CLS and %d patches of %d x %d pixels \(block size %d\)" % (n, p, p, n + 1))


def progression_holds(test, outs):
    stages = dict(re.findall(r"^(\d) .*?\s(\d+\s+[\d.]+\s+[\d.]+)\s+[\d.]+\s", outs[0], re.M))
    test.assertEqual(sorted(stages), list("0123456"))
    uniform = stages["0"].split()
    test.assertEqual(float(uniform[1]), round(math.log(27), 4))
    test.assertEqual(stages["2"], stages["3"])  # backward() finds the hand-derived gradients


CLAIMS = {
    "Why divide by sqrt(d_k)?": scale_holds,
    "What does the causal mask do?": mask_holds,
    "Encoder, decoder, cross-attention: what is the difference?": kinds_hold,
    "Why do RNNs lose long-range dependencies?": gradients_hold,
    "What do the heads learn?": heads_hold,
    "What do positions do?": positions_hold,
    "How does GPT-2 get to 124 million parameters?": size_holds,
    "What is the bottleneck attention removed?": bottleneck_runs,
    "What does pretraining buy fine-tuning?": finetuning_holds,
    "How does a transformer read an image?": patches_hold,
    "What did each piece of the GPT buy?": progression_holds,
}


class PatternTest(unittest.TestCase):
    def test_a_shown_line_matches_what_a_run_prints(self):
        printed = "baseline    4192    2.4156     34.0  tarela, donnn, canda, lica"
        self.assertRegex(printed, pattern_of("baseline 4192 2.4156 13.7  tarela, donnn, ..."))
        self.assertNotRegex(printed, pattern_of("baseline 4192 2.4157 13.7  tarela, ..."))
        self.assertRegex("held-out after step  500 | loss 0.0011",
                         pattern_of("held-out after step  500 | loss 0.0011        (learned positions)"))
        self.assertRegex("documents of /home/a/microgpt/bundled/names.txt: intact",
                         pattern_of("documents of …/microgpt/bundled/names.txt: intact"))


class CourseTest(unittest.TestCase):
    maxDiff = None

    def test_every_question_has_its_check(self):
        self.assertEqual(set(sections(COURSE.read_text(encoding="utf-8"))), set(CLAIMS))

    def test_every_command_runs_prints_what_is_shown_and_makes_its_point(self):
        for title, (commands, shown) in sections(COURSE.read_text(encoding="utf-8")).items():
            with self.subTest(title), tempfile.TemporaryDirectory() as folder:
                self.assertTrue(commands, "no command")
                outs = [shell(command, folder) for command in commands]
                if title not in SHOWN_NOT_PRINTED:
                    printed = "\n".join(outs)
                    for line in shown:
                        if pattern_of(line) and not re.search(pattern_of(line), printed):
                            self.fail("%s: shown but not printed: %s" % (title, line))
                CLAIMS[title](self, outs)


if __name__ == "__main__":
    unittest.main()
