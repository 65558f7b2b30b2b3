"""The progression from counting bigrams to the GPT: the uniform and bigram
held-out losses against their formulas written out here, the hand
derivation against finite differences and against the engine (stage 3 is
stage 2, step by step), stage 6 against train's own run, SGD by its rule,
and the command as a learner meets it: its table, picture, JSON, mistakes
and Ctrl-C."""
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.architectures import backprop, catalog, neural_lm
from microgpt.config import Config, ConfigError
from microgpt.data import split_docs
from microgpt.instruments.ingredients import MLP_LR, progression, run_stage, settings
from microgpt.model import document_loss
from microgpt.optim import learning_rate
from microgpt.params import flatten
from microgpt.plumbing import checkpoint
from microgpt.training import start, train_step
from microgpt.value import recording
from tests.support import (BUNDLED_NAMES, ROOT, assert_one_line_error, resumed_and_whole, rest_of,
                           run, train)

FEW = split_docs(BUNDLED_NAMES.read_text(encoding="utf-8"))[:300]  # 30 held out at F = 0.1


def direct_losses(docs, seed, fraction, block_size=16):
    """(uniform, bigram) held-out losses as docs/progression.md defines them, from
    nothing but the documents: train's shuffle and split, [BOS] + tokens +
    [BOS], P(b | a) = (count + 1) / (row total + V), each held-out document's
    mean of -log P over its first block_size positions, then their mean."""
    docs = list(docs)
    random.Random(seed).shuffle(docs)
    n_held = max(1, round(fraction * len(docs)))
    training, held = docs[:-n_held], docs[-n_held:]
    chars = sorted(set("".join(docs)))
    bos, V = len(chars), len(chars) + 1
    ids = lambda doc: [bos] + [chars.index(c) for c in doc] + [bos]
    counts = {}
    for doc in training:
        t = ids(doc)
        for a, b in zip(t, t[1:]):
            counts[a, b] = counts.get((a, b), 0) + 1
    totals = {a: sum(counts.get((a, b), 0) for b in range(V)) for a in range(V)}
    means = []
    for doc in held:
        t = ids(doc)[:block_size + 1]
        nll = [-math.log((counts.get((a, b), 0) + 1) / (totals[a] + V)) for a, b in zip(t, t[1:])]
        means.append(sum(nll) / len(nll))
    return math.log(V), sum(means) / len(means)


def progression_command(*args, cwd=ROOT):
    result = run("-m", "microgpt", "progression", *args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result


class ExactTest(unittest.TestCase):
    def test_uniform_and_bigram_held_out_losses_are_the_formulas(self):
        for docs, seed, fraction in ((FEW, 42, 0.1), (FEW[:57], 7, 0.3)):
            uniform, bigram = direct_losses(docs, seed, fraction)
            configs = settings(steps=3, val_fraction=fraction, seed=seed)
            with self.subTest(seed=seed):
                self.assertLess(abs(run_stage(0, docs, configs[0]).held_out_loss - uniform), 1e-12)
                self.assertLess(abs(run_stage(1, docs, configs[1]).held_out_loss - bigram), 1e-12)

    def test_long_documents_are_cut_to_the_block_as_train_cuts_them(self):
        docs = ["abcdefghijklmnopqrstuvwxyz" * 2, "zyxwvutsrqponmlkjihgfedcba", "abba", "cab"] * 5
        _, bigram = direct_losses(docs, 1, 0.25)
        self.assertLess(abs(run_stage(1, docs, settings(steps=1, val_fraction=0.25, seed=1)[1])
                            .held_out_loss - bigram), 1e-12)


class HandDerivationTest(unittest.TestCase):
    config = Config(n_embd=4, vocab_size=7, init_std=0.5, block_size=5)
    doc = [6, 0, 3, 3, 1, 5, 2, 0, 6]  # longer than the block: the loss reads 5 positions

    def test_every_gradient_against_finite_differences(self):
        w = backprop.draw_weights(self.config, random.Random(3))
        w["b1"][0] = [0.1 * i - 0.2 for i in range(len(w["b1"][0]))]  # biases off 0, to be seen
        w["b2"][0] = [0.05 * i for i in range(len(w["b2"][0]))]
        loss, grads = backprop.loss_and_gradients(self.doc, w, self.config)
        self.assertEqual(loss, backprop.document_loss(self.doc, w, self.config))
        h, checked = 1e-6, 0
        for name, matrix in w.items():
            for i, row in enumerate(matrix):
                for j, x in enumerate(row):
                    row[j] = x + h
                    up = backprop.document_loss(self.doc, w, self.config)
                    row[j] = x - h
                    down = backprop.document_loss(self.doc, w, self.config)
                    row[j] = x
                    numeric = (up - down) / (2 * h)
                    with self.subTest(weight=f"{name}[{i}][{j}]"):
                        self.assertLess(abs(grads[name][i][j] - numeric),
                                        1e-6 * max(1.0, abs(numeric)))
                    checked += 1
        self.assertEqual(checked, backprop.count(self.config))

    def test_the_engine_finds_the_hand_derived_gradients(self):
        for scale in (1.0, 3e4):  # 3e4: logits so far apart that probabilities underflow to 0
            with self.subTest(scale=scale):
                self.same_as_the_engine(scale)

    def same_as_the_engine(self, scale):
        w = backprop.draw_weights(self.config, random.Random(4))
        w["W2"] = [[scale * x for x in row] for row in w["W2"]]
        loss, grads = backprop.loss_and_gradients(self.doc, w, self.config)
        params = neural_lm.as_values(w)
        with recording() as tape:
            value = neural_lm.document_loss(self.doc, params, self.config)
        value.backward(tape)
        self.assertTrue(math.isfinite(loss))
        self.assertLess(abs(value.data - loss), 1e-15 * max(1.0, loss))
        for name in w:
            for got, want in zip(flatten({name: params[name]}), flatten({name: grads[name]})):
                self.assertLess(abs(got.grad - want), 1e-15 * max(1.0, scale))

    def test_stage_3_trains_as_stage_2_at_every_step(self):
        config = settings(steps=1000, val_fraction=0.1)[2]
        planned = catalog.plan(FEW, config)
        w = backprop.draw_weights(planned.config, planned.rng)
        by_hand = [backprop.train_step(w, planned.examples, s, planned.config)
                   for s in range(config.steps)]
        planned = catalog.plan(FEW, config)
        state = neural_lm.start(planned)
        on_values = [train_step(state, planned.examples) for _ in range(config.steps)]
        self.assertEqual(config.lr, MLP_LR)
        self.assertLess(by_hand[-1], by_hand[0] - 0.5)  # it learned
        for s, (a, b) in enumerate(zip(by_hand, on_values)):
            self.assertLess(abs(a - b), 1e-12, f"step {s + 1}")
        self.assertEqual(state.m, [0.0] * backprop.count(planned.config))  # SGD: Adam's untouched


class SgdTest(unittest.TestCase):
    def test_a_step_is_p_minus_lr_t_times_grad(self):
        config = Config(n_embd=8, n_head=2, optimizer="sgd", lr=0.3, steps=4)
        examples, state = start(FEW, config)
        for _ in range(2):
            train_step(state, examples)
        before = [p.data for p in flatten(state.params)]
        with recording() as tape:  # the gradients of the next step, found apart
            loss = document_loss(examples[2], state.params, state.config)
        loss.backward(tape)
        grads = [p.grad for p in flatten(state.params)]
        for p in flatten(state.params):
            p.grad = 0.0
        train_step(state, examples)
        lr_t = learning_rate(2, state.config)
        self.assertEqual(lr_t, 0.3 * (1 - 2 / 4))
        for b, g, p in zip(before, grads, flatten(state.params)):
            self.assertEqual(p.data, b - lr_t * g)
        self.assertEqual(set(state.m) | set(state.v), {0.0})

    def test_adam_settings_are_refused_under_sgd(self):
        for name, value in (("beta1", 0.9), ("beta2", 0.5), ("eps", 1e-6)):
            with self.subTest(name=name), self.assertRaisesRegex(ConfigError, f"{name}="):
                catalog.check(Config(optimizer="sgd", **{name: value}))

    def test_checkpoints_keep_it_and_resume_bit_identically(self):
        with tempfile.TemporaryDirectory() as folder:
            state, whole = resumed_and_whole(FEW, Config(n_embd=8, n_head=2, optimizer="sgd",
                                                         lr=0.3, steps=6), Path(folder))
            self.assertEqual(state.config.optimizer, "sgd")
            self.assertEqual(state.losses, whole.losses)
            model = Path(folder) / "m.json"
            made = train(BUNDLED_NAMES, "--steps", "2", "--n-embd", "8", "--optimizer", "sgd",
                         "--lr", "0.3", "--num-samples", "1", "--out", model)
            self.assertEqual(made.returncode, 0, made.stderr)
            self.assertEqual(checkpoint.load(model).config.optimizer, "sgd")
            assert_one_line_error(self, train("--resume", model, "--steps", "4", "--optimizer",
                                              "adam"), "--optimizer adam differs")


class CommandTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.folder = Path(cls._tmp.name)
        cls.data = cls.folder / "few.txt"
        cls.data.write_text("\n".join(FEW) + "\n", encoding="utf-8")

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_stage_6_is_trains_run_loss_for_loss_and_sample_for_sample(self):
        flags = ("--steps", "12", "--val-fraction", "0.2", "--seed", "5")
        out = self.folder / "six.json"
        shown = progression_command(self.data, *flags, "--json", out).stdout
        trained = train(self.data, *flags)
        self.assertEqual(trained.returncode, 0, trained.stderr)
        stages = json.loads(out.read_text(encoding="utf-8"))
        printed = [l for l in trained.stdout.splitlines() if l.startswith("step ")]
        self.assertEqual([f"step {s + 1:4d} / {12:4d} | loss {x:.4f}"
                          for s, x in enumerate(stages[6]["train_losses"])], printed)
        samples = [l.split(": ", 1)[1] for l in trained.stdout.splitlines() if l.startswith("sample")]
        self.assertIn(", ".join(samples[:3]), shown.splitlines()[7])

    def test_table_picture_and_json(self):
        svg, out = self.folder / "p.svg", self.folder / "p.json"
        result = progression_command(self.data, "--steps", "5", "--svg", svg, "--json", out)
        rows = result.stdout.splitlines()
        for k, name in enumerate(("uniform", "bigram counts", "MLP, by hand", "MLP, autograd",
                                  "attention, 1 head", "multi-head", "Adam")):
            self.assertTrue(rows[k + 1].startswith(f"{k} {name}: "), rows[k + 1])
        self.assertIn("held-out documents", rows[8])
        self.assertRegex(result.stdout, r"\n  after BOS: \w 0\.\d{3}, \w 0\.\d{3}, \w 0\.\d{3}\n")
        stages = json.loads(out.read_text(encoding="utf-8"))
        self.assertEqual([s["stage"] for s in stages], list(range(7)))
        for s in stages:
            self.assertEqual(set(s), {"stage", "name", "params", "train_losses", "held_out_loss"})
            self.assertEqual(len(s["train_losses"]), 5)
        uniform, bigram = direct_losses(FEW, 42, 0.1)
        self.assertLess(abs(stages[0]["held_out_loss"] - uniform), 1e-12)
        self.assertLess(abs(stages[1]["held_out_loss"] - bigram), 1e-12)
        for a, b in zip(stages[2]["train_losses"], stages[3]["train_losses"]):
            self.assertLess(abs(a - b), 1e-12)
        self.assertEqual([s["params"] for s in stages][2:], [4107, 4107, 4192, 4192, 4192])
        picture = svg.read_text(encoding="utf-8")
        bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#\w+"/>',
                          picture)
        self.assertEqual(len(bars), 7)  # a bar per stage
        self.assertIn("6 Adam", picture)

    def test_from_a_fresh_folder_it_finds_the_bundled_names(self):
        result = progression_command("--steps", "1", cwd=self.folder)
        self.assertIn("names.txt not found here; using the bundled", result.stderr)
        self.assertIn("(5163 documents, 516 held out)", result.stderr)

    def test_mistakes_are_one_line(self):
        for args, pattern in (
                (("--val-fraction", "0"), "--val-fraction must be above 0"),
                (("--val-fraction", "1"), "must be below 1"),
                (("--steps", "0"), "must be at least 1"),
                (("--mlp-lr", "-1"), "must be above 0"),
                (("--svg", self.data), r"is the data"),
                (("--svg", self.folder / "a.svg", "--json", self.folder / "a.svg"), "--svg picture"),
                (("--json", self.folder / "no" / "p.json"), r"no\b.*folder|directory")):
            with self.subTest(args=args):
                assert_one_line_error(self, run("-m", "microgpt", "progression", self.data, *args),
                                      pattern)
        tiny = self.folder / "tiny.txt"
        tiny.write_text("ab\n", encoding="utf-8")
        assert_one_line_error(self, run("-m", "microgpt", "progression", tiny),
                              "leaves none to train on")
        assert_one_line_error(self, run("-m", "microgpt", "progression", self.folder / "none.txt"),
                              "(?i)no such file")

    def test_ctrl_c_shows_the_stages_that_finished(self):
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "microgpt", "progression", str(self.data),
                                 "--steps", "100000", "--json", "c.json"], cwd=self.folder, env=env,
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        for line in proc.stderr:  # a progress line: stage 2 trains
            if "stage 2 of 6 (MLP, by hand): step" in line:
                proc.send_signal(signal.SIGINT)
                break
        out, err = rest_of(proc, timeout=120)
        proc.stdout.close()
        proc.stderr.close()
        self.assertEqual(proc.returncode, 130, err)
        self.assertNotIn("Traceback", err)
        self.assertIn("interrupted in stage 2 (MLP, by hand); shown: the stages before it", err)
        self.assertEqual([l[:2] for l in out.splitlines()[1:3]], ["0 ", "1 "])
        stages = json.loads((self.folder / "c.json").read_text(encoding="utf-8"))
        self.assertEqual([s["name"] for s in stages], ["uniform", "bigram counts"])


class LibraryTest(unittest.TestCase):
    def test_every_setting_is_checked_before_any_stage_trains(self):
        with self.assertRaisesRegex(ConfigError, "leaves none to train on"):
            progression(["ab", "cd"], steps=1, val_fraction=0.9)


if __name__ == "__main__":
    unittest.main()
