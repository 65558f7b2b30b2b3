"""Fine-tuning checked against the definitions, written again here: a run
from a checkpoint's weights (train --init: new tokens after the old ones,
BOS last, their rows drawn after the shuffle) and the loss on the response
of prompt<TAB>response lines (--loss-on response), each a whole short run
of the command against an implementation of the rule in PyTorch (float64,
the reference's model op for op); the masked mean against the losses of
prefixes (no PyTorch needed); resumes bit-identical; the answers and
their scores; every mistake one line."""
import dataclasses
import json
import random
import re
import tempfile
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.config import Config
from microgpt.data import make_examples, split_docs
from microgpt.variants.sft import Prompted
from microgpt.instruments import responses
from microgpt.model import document_loss
from microgpt.plumbing import checkpoint
from microgpt.tokenizer import Tokenizer
from microgpt.training import start
from microgpt.variants.finetuning import start_from
from tests.support import assert_one_line_error, interrupted, numbers, run, train

try:
    import torch
except ImportError:  # optional: the runs against the definition are skipped without it
    torch = None

PAIRS = ("Cholera, unspecified\tA00.9\n"
         "Typhoid fever\tA01.00\n"
         "\n"
         "  Typhoid meningitis\tA01.01  \n"
         "Paratyphoid fever A\tA01.1, a response the block cuts\n"
         "Tab\tinside\tthe response\n"
         "Zoster\tB02.9\n"
         "Acute otitis média\tH66.9\n")


def write(folder, name, text):
    path = Path(folder) / name
    path.write_text(text, encoding="utf-8")
    return path


# -------------------------------------------------------------------------
# the definition, written again with PyTorch's pieces

def reference_weights(rng, vocab_size, n_embd, block_size, n_layer):
    """The reference's matrices in its order, each entry one rng.gauss(0, 0.08)."""
    def matrix(rows, cols):
        return [[rng.gauss(0, 0.08) for _ in range(cols)] for _ in range(rows)]
    shapes = [("wte", vocab_size, n_embd), ("wpe", block_size, n_embd), ("lm_head", vocab_size, n_embd)]
    for i in range(n_layer):
        shapes += [(f"layer{i}.attn_w{m}", n_embd, n_embd) for m in "qkvo"]
        shapes += [(f"layer{i}.mlp_fc1", 4 * n_embd, n_embd), (f"layer{i}.mlp_fc2", n_embd, 4 * n_embd)]
    return {name: matrix(r, c) for name, r, c in shapes}


def logits_of(tokens, w, n_head, n_layer):
    """The reference GPT over tokens at once, the causal mask explicit: (T, vocab)."""
    T, E = len(tokens), w["wte"].shape[1]
    hd = E // n_head
    rms = lambda x: x * ((x * x).sum(-1, keepdim=True) / E + 1e-5) ** -0.5
    x = rms(w["wte"][tokens] + w["wpe"][:T])
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    for i in range(n_layer):
        L = lambda name: w[f"layer{i}.{name}"]
        h = rms(x)
        q, k, v = h @ L("attn_wq").T, h @ L("attn_wk").T, h @ L("attn_wv").T
        heads = []
        for j in range(n_head):
            s = slice(j * hd, (j + 1) * hd)
            scores = (q[:, s] @ k[:, s].T / hd ** 0.5).masked_fill(future, float("-inf"))
            heads.append(torch.softmax(scores, -1) @ v[:, s])
        x = x + torch.cat(heads, -1) @ L("attn_wo").T
        x = x + torch.relu(rms(x) @ L("mlp_fc1").T) @ L("mlp_fc2").T
    return x @ w["lm_head"].T


def definition_run(text, steps, seed=42, n_layer=1, n_embd=16, n_head=4, block_size=16, lr=0.01,
                   label_smoothing=0.0, batch_size=1, loss_on="all", num_samples=5,
                   temperature=0.5, init=None, prompts=()):
    """The lines a run prints (counts, losses, samples) and the greedy
    responses to prompts, from the issue's rules alone. init: a checkpoint's
    JSON to start from (its vocabulary and weights)."""
    docs = [l.strip() for l in text.replace("\r\n", "\n").strip().split("\n") if l.strip()]
    rng = random.Random(seed)
    out = [f"num docs: {len(docs)}"]
    rng.shuffle(docs)
    if init is None:
        chars = sorted(set("".join(docs)))
        w = reference_weights(rng, len(chars) + 1, n_embd, block_size, n_layer)
    else:  # new characters after the old, BOS last; wte's new rows drawn, then lm_head's
        old = init["vocab"]
        new = sorted(set("".join(docs)) - set(old))
        chars, w = old + new, dict(init["params"])
        for name in ("wte", "lm_head"):
            rows = [[rng.gauss(0, 0.08) for _ in range(n_embd)] for _ in new]
            w[name] = w[name][:len(old)] + rows + w[name][len(old):]
    bos, V = len(chars), len(chars) + 1
    out += [f"vocab size: {V}", f"num params: {sum(len(m) * len(m[0]) for m in w.values())}"]
    w = {name: torch.tensor(m, dtype=torch.float64, requires_grad=True) for name, m in w.items()}
    examples = [[bos] + [chars.index(c) for c in doc] + [bos] for doc in docs]

    def doc_loss(tokens):
        n = min(block_size, len(tokens) - 1)
        logp = torch.log_softmax(logits_of(tokens[:n], w, n_head, n_layer), -1)
        per_position = -((1 - label_smoothing) * logp[range(n), tokens[1:n + 1]]
                         + label_smoothing * logp.mean(-1))
        first = tokens.index(chars.index("\t")) if loss_on == "response" else 0
        return per_position[first:].mean()   # the response's positions and the closing BOS

    m = {k: torch.zeros_like(p) for k, p in w.items()}
    v = {k: torch.zeros_like(p) for k, p in w.items()}
    for step in range(steps):
        batch = [examples[(step * batch_size + b) % len(examples)] for b in range(batch_size)]
        loss = torch.stack([doc_loss(t) for t in batch]).mean()
        loss.backward()
        lr_t = lr * (1 - step / steps)
        with torch.no_grad():
            for k, p in w.items():
                m[k] = 0.85 * m[k] + 0.15 * p.grad
                v[k] = 0.99 * v[k] + 0.01 * p.grad ** 2
                p -= lr_t * (m[k] / (1 - 0.85 ** (step + 1))) / (
                    (v[k] / (1 - 0.99 ** (step + 1))) ** 0.5 + 1e-8)
                p.grad = None
        out.append(f"step {step + 1:4d} / {steps:4d} | loss {loss.item():.4f}")

    def write_from(tokens, limit, draw):
        while len(tokens) - 1 < limit:
            with torch.no_grad():
                z = logits_of(tokens[-block_size:], w, n_head, n_layer)[-1]
            token = draw(z)
            if token == bos:
                break
            tokens = tokens + [token]
        return tokens

    for i in range(num_samples):
        draw = lambda z: rng.choices(range(V), weights=torch.softmax(z / temperature, -1).tolist())[0]
        text = "".join(chars[t] for t in write_from([bos], block_size, draw)[1:])
        out.append(f"sample {i + 1:2d}: {text if text else '(empty)'}")
    answers = []
    for prompt in prompts:  # greedy: the likeliest token, the first of a tie
        start_ids = [bos] + [chars.index(c) for c in prompt + "\t"]
        got = write_from(start_ids, block_size, lambda z: int(torch.argmax(z)))
        answers.append("".join(chars[t] for t in got[len(start_ids):]))
    return out, answers


@unittest.skipIf(torch is None, "PyTorch not installed (pip install torch==2.13.0)")
class SameAsTheDefinitionTest(unittest.TestCase):
    """A short run of the command against the definition run in PyTorch."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.folder = Path(self._tmp.name)
        self.pairs = write(self.folder, "pairs.tsv", PAIRS)

    def tearDown(self):
        self._tmp.cleanup()

    def compare(self, flags, settings, **extra):
        got = train(self.pairs, *flags, cwd=self.folder)
        self.assertEqual(got.returncode, 0, got.stderr)
        want, _ = definition_run(PAIRS, **settings, **extra)
        self.assertEqual(numbers(got.stdout), want)
        return got

    def test_the_loss_on_the_response(self):
        """Truncation (block 24 cuts one line's response), batches of 3,
        label smoothing, a TAB inside a response, a line stripped."""
        flags = ("--loss-on", "response", "--steps", "7", "--n-embd", "8", "--n-head", "2",
                 "--block-size", "24", "--batch-size", "3", "--label-smoothing", "0.1",
                 "--seed", "3", "--lr", "0.03", "--num-samples", "6", "--temperature", "0.9")
        settings = dict(loss_on="response", steps=7, n_embd=8, n_head=2, block_size=24,
                        batch_size=3, label_smoothing=0.1, seed=3, lr=0.03, num_samples=6,
                        temperature=0.9)
        self.compare(flags, settings)
        self.compare(("--loss-on", "all") + flags[2:], {**settings, "loss_on": "all"})

    def test_a_run_from_a_checkpoint(self):
        """Pretrained on names, fine-tuned on pairs: TAB, capitals, digits,
        punctuation and é are new tokens after the names' letters, BOS last."""
        names = write(self.folder, "few.txt", "emma\nolivia\nava\nisabella\nsophia\nmia\n")
        pre = self.folder / "pre.json"
        made = train(names, "--steps", "5", "--n-embd", "8", "--n-head", "2", "--block-size", "24",
                     "--out", pre, cwd=self.folder)
        self.assertEqual(made.returncode, 0, made.stderr)
        init = json.loads(pre.read_text(encoding="utf-8"))
        flags = ("--init", pre, "--loss-on", "response", "--steps", "6", "--seed", "5",
                 "--lr", "0.02", "--num-samples", "4", "--batch-size", "2", "--out",
                 self.folder / "ft.json")
        got = self.compare(flags, dict(loss_on="response", steps=6, seed=5, lr=0.02,
                                       num_samples=4, batch_size=2, n_embd=8, n_head=2,
                                       block_size=24), init=init)
        n = len(init["vocab"])  # the names' 11 letters: TAB is the first new token, then space
        self.assertRegex(got.stderr, rf"new tokens '\\t' id {n}, ' ' id {n + 1}, .*; BOS is now id")
        saved = json.loads((self.folder / "ft.json").read_text(encoding="utf-8"))
        self.assertEqual(saved["init"]["name"], str(pre))
        self.assertEqual(len(saved["init"]["sha256"]), 64)
        self.assertEqual(saved["vocab"][:n], init["vocab"])

    def test_greedy_answers(self):
        model = self.folder / "m.json"
        self.compare(("--loss-on", "response", "--steps", "30", "--n-embd", "8", "--n-head", "2",
                      "--block-size", "32", "--num-samples", "5", "--out", model),
                     dict(loss_on="response", steps=30, n_embd=8, n_head=2, block_size=32))
        prompts = ("Cholera, unspecified", "Zoster", "Typhoid")
        _, want = definition_run(PAIRS, loss_on="response", steps=30, n_embd=8, n_head=2,
                                 block_size=32, prompts=prompts)
        for prompt, answer in zip(prompts, want):
            got = run("-m", "microgpt.sample", model, "--prompt", prompt, "--temperature", "0")
            self.assertEqual(got.returncode, 0, got.stderr)
            self.assertEqual(got.stdout, (answer or "(empty)") + "\n")


# -------------------------------------------------------------------------
# the masked mean, without PyTorch

class MaskedLossTest(unittest.TestCase):
    def test_the_mean_over_the_positions_from_the_tab_on(self):
        """A causal model's loss over the first k positions is document_loss
        of the first k + 1 tokens, so the response's mean is
        (n * L(n) - s * L(s)) / (n - s), s the position that reads the TAB."""
        docs = split_docs(PAIRS)
        for block in (64, 24):
            config = Config(n_embd=8, n_head=2, block_size=block, steps=1)
            _, state = start(docs, config)
            plain = state.config
            masked = dataclasses.replace(plain, loss_on="response")
            tab = state.tokenizer.ids["\t"]
            for doc in docs:
                ids = state.tokenizer.encode_document(doc)
                n, s = min(block, len(ids) - 1), ids.index(tab)
                with self.subTest(doc=doc, block=block):
                    want = (n * document_loss(ids[:n + 1], state.params, plain).data
                            - s * document_loss(ids[:s + 1], state.params, plain).data) / (n - s)
                    got = document_loss(Prompted(ids, s), state.params, masked).data
                    self.assertAlmostEqual(got, want, delta=1e-12)

    def test_windows_train_each_response_position_once(self):
        """With a stride, each window counts from max(0, s - its start);
        a window all prompt is left out; every target past the TAB is
        trained in some window."""
        config = Config(block_size=6, stride=3, loss_on="response")
        tok = Tokenizer.from_docs(["a long prompt\tB2.9"])
        ids = tok.encode_document("a long prompt\tB2.9")
        windows = make_examples(["a long prompt\tB2.9"], tok, config)
        s, trained = ids.index(tok.ids["\t"]), set()
        for w in windows:
            offset = next(i for i in range(len(ids)) if ids[i:i + len(w)] == list(w))
            self.assertEqual(w.start, max(0, s - offset))
            self.assertLess(w.start, len(w) - 1)
            trained |= {offset + p for p in range(w.start, len(w) - 1)}
        self.assertEqual(trained, set(range(s, len(ids) - 1)))


# -------------------------------------------------------------------------
# the library's start from a checkpoint

class StartFromTest(unittest.TestCase):
    def test_rows_kept_moved_and_drawn_in_the_documented_order(self):
        _, pre = start(["emma", "ava"], Config(n_embd=4, n_head=2, steps=3, tie_weights=False))
        docs = ["ava\tAVA", "emma\tE"]
        examples, state, new = start_from(pre, docs, {"seed": 9, "steps": 4})
        self.assertEqual(new, ["\t", "A", "E", "V"])
        self.assertEqual(state.tokenizer.chars, ["a", "e", "m", "v", "\t", "A", "E", "V"])
        rng = random.Random(9)
        rng.shuffle(list(docs))  # the shuffle draws first
        drawn = {name: [[rng.gauss(0, 0.08) for _ in range(4)] for _ in new]
                 for name in ("wte", "lm_head")}
        for name in ("wte", "lm_head"):
            rows = [[p.data for p in row] for row in state.params[name]]
            old = [[p.data for p in row] for row in pre.params[name]]
            self.assertEqual(rows[:4], old[:4])          # the characters keep their ids
            self.assertEqual(rows[4:8], drawn[name])     # the new ones, in sorted order
            self.assertEqual(rows[8], old[4])            # BOS, moved last
        self.assertEqual(state.step, 0)
        self.assertEqual(set(state.m) | set(state.v), {0.0})
        self.assertEqual((state.config.steps, state.config.seed, state.config.n_embd), (4, 9, 4))
        self.assertIsNot(state.params["wpe"][0][0], pre.params["wpe"][0][0])  # a copy


# -------------------------------------------------------------------------
# the commands

class CommandsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.folder = Path(cls._tmp.name)
        cls.pairs = write(cls.folder, "pairs.tsv", PAIRS)
        cls.model = cls.folder / "m.json"
        made = train(cls.pairs, "--loss-on", "response", "--steps", "20", "--n-embd", "8",
                     "--n-head", "2", "--block-size", "32", "--val-fraction", "0.3",
                     "--out", cls.model, cwd=cls.folder)
        assert made.returncode == 0, made.stderr

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_stopped_and_resumed_is_bit_identical(self):
        """Ctrl-C after step 3 of 6, then --resume: the run printed and saved
        is the one that went straight through; a run from --init too."""
        sft = ("--loss-on", "response", "--n-embd", "8", "--n-head", "2", "--block-size", "24",
               "--batch-size", "2", "--val-fraction", "0.2", "--eval-every", "2", "--steps", "6")
        init = ("--init", self.model, "--loss-on", "response", "--steps", "6", "--seed", "1")
        for name, common in (("sft", sft), ("init", init)):
            with self.subTest(name):
                whole, half = self.folder / f"{name}_whole.json", self.folder / f"{name}_half.json"
                straight = train(self.pairs, *common, "--out", whole, cwd=self.folder)
                self.assertEqual(straight.returncode, 0, straight.stderr)
                first, err, status = interrupted("train", [self.pairs, *common, "--out", half],
                                                 self.folder, 3)
                self.assertEqual(status, 130, err)
                resumed = train(self.pairs, "--resume", half, cwd=self.folder)
                self.assertEqual(resumed.returncode, 0, resumed.stderr)
                self.assertEqual(whole.read_text(encoding="utf-8"), half.read_text(encoding="utf-8"))
                steps = lambda out: [l for l in out.splitlines() if l.startswith(("step", "held"))]
                self.assertEqual(steps(first) + steps(resumed.stdout), steps(straight.stdout))

    def test_a_checkpoint_without_init_reads_as_a_run_from_random_weights(self):
        obj = json.loads(self.model.read_text(encoding="utf-8"))
        del obj["init"]
        self.assertEqual((checkpoint.from_json(obj).init_name,
                          checkpoint.from_json(obj).init_sha256), ("", ""))
        obj["init"] = {"name": "pre.json", "sha256": "not hex"}
        with self.assertRaisesRegex(checkpoint.CheckpointError, "init sha256 should be 64 hex"):
            checkpoint.from_json(obj)

    def test_eval_scores_the_answers_prompt_by_prompt(self):
        result = run("-m", "microgpt.sample", self.model, "--eval", self.pairs, "--score", "icd10")
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = [(prompt, want) for _, prompt, want in responses.read_prompted(PAIRS)]
        answers = []
        for prompt, _ in rows:
            one = run("-m", "microgpt.sample", self.model, "--prompt", prompt, "--temperature", "0")
            answers.append(one.stdout[:-1] if one.stdout != "(empty)\n" else "")
        scored = [(p, want, got) for (p, want), got in zip(rows, answers)]
        exact = sum(want == got for _, want, got in scored) / len(scored)
        self.assertIn(f"\nexact: {100 * exact:.1f}%\n", result.stdout)
        category = sum(got[:3] == want[:3] for _, want, got in scored) / len(scored)
        self.assertIn(f"\ncategory: {100 * category:.1f}%\n", result.stdout)
        self.assertRegex(result.stdout, r"well-formed: \d+\.\d%\nchapter: \d+\.\d%\n")

    def test_held_out_scores_the_lines_the_run_never_trained_on(self):
        result = run("-m", "microgpt.sample", self.model, "--eval", self.pairs, "--held-out")
        self.assertEqual(result.returncode, 0, result.stderr)
        # 7 lines, --val-fraction 0.3: round(2.1) = 2 held out, the last two after the shuffle
        docs = split_docs(PAIRS)
        random.Random(42).shuffle(docs)
        self.assertIn("answering the 2 lines of", result.stdout)
        for doc in docs[-2:]:
            self.assertIn(repr(doc.split("\t")[0]) + " -> ", result.stdout)

    def test_icd10_scores(self):
        rows = [("", "A00.0", "A00.0"), ("", "C34.11", "C34.9"), ("", "E11.9", "E1"),
                ("", "Z3A.00", "B"), ("", "S72", "S72.00123")]
        self.assertEqual(responses.scores(rows, "icd10"),
                         {"exact": 0.2, "per-character": (1 + 4 / 6 + 2 / 5 + 0 + 1) / 5,
                          "well-formed": 0.4, "chapter": 0.8, "category": 0.6})

    def test_mistakes_are_one_line(self):
        no_tab = write(self.folder, "no_tab.txt", "emma\nava\n")
        some = write(self.folder, "some.tsv", "emma\tEMMA\n\nava AVA\n")
        long = write(self.folder, "long.tsv", "a prompt longer than the block\tX\n")
        cases = [
            (train(no_tab, "--loss-on", "response"), r"no_tab\.txt: no line has a TAB"),
            (train(some, "--loss-on", "response"), r"some\.tsv, line 3: no TAB"),
            (train(long, "--loss-on", "response"), r"long\.tsv, line 1: the prompt fills the block"),
            (train(self.pairs, "--loss-on", "response", "--model", "gru"),
             r"--loss-on response masks the prompt in model\.document_loss"),
            (train(self.pairs, "--init", self.model, "--n-embd", "16"),
             r"--n-embd 16 would change the model of .*m\.json \(--n-embd 8\)"),
            (train(self.pairs, "--init", self.model, "--resume", self.model), r"give one of them"),
            (train(self.pairs, "--init", self.folder / "none.json"), r"none\.json: no such file"),
            (run("-m", "microgpt.sample", self.model, "--eval", some), r"some\.tsv, line 3: no TAB"),
            (run("-m", "microgpt.sample", self.model, "--prompt", "a\tb"), r"--prompt has a TAB"),
            (run("-m", "microgpt.sample", self.model, "--prompt", "Zoster" * 6),
             r"no room to answer in 32"),
            (run("-m", "microgpt.sample", self.model, "--eval", self.pairs, "--temperature", "1"),
             r"--eval answers each prompt greedily; --temperature"),
            (run("-m", "microgpt.sample", self.model, "--held-out"), r"--held-out goes with --eval"),
            (run("-m", "microgpt.sample", self.model, "--eval", some, "--held-out"),
             r"(no TAB|not the data)"),
        ]
        for result, pattern in cases:
            with self.subTest(pattern=pattern):
                assert_one_line_error(self, result, pattern)

    def test_init_from_another_architecture_is_one_line(self):
        classifier = self.folder / "cls.json"
        names = write(self.folder, "a.txt", "emma\nava\nmia\n")
        words = write(self.folder, "b.txt", "fever\nrash\ncough\n")
        made = run("-m", "microgpt", "classify", names, words, "--steps", "1", "--val-fraction", "0",
                   "--out", classifier)
        self.assertEqual(made.returncode, 0, made.stderr)
        assert_one_line_error(self, train(self.pairs, "--init", classifier),
                              r"holds the classifier model; a run on documents starts from a "
                              r"language model's")
        assert_one_line_error(self, run("-m", "microgpt", "classify", names, words, "--init",
                                        self.model),
                              r"holds the gpt model, not a masked language model's encoder")


class BundledPairsTest(unittest.TestCase):
    def test_icd10_codes_are_billable_codes_of_the_diagnoses(self):
        from microgpt.plumbing.corpus import find_bundled, load_docs
        pairs = [line.split("\t") for line in load_docs(find_bundled("icd10_codes.tsv"))]
        self.assertTrue(all(len(p) == 2 for p in pairs))
        self.assertIn(["Type 2 diabetes mellitus without complications", "E11.9"], pairs)
        codes = [code for _, code in pairs]
        self.assertEqual(len(set(codes)), len(codes))
        # no code that takes a seventh character (S72.001 is billable as S72.001A only)
        self.assertNotIn("S72.001", codes)
        self.assertTrue(all(re.fullmatch(r"[A-Z][0-9A-Z]{2}(\.[0-9A-Z]{1,4})?", c) for c in codes))
        # each description is a line of diagnoses.txt, in the same order
        diagnoses = iter(load_docs(find_bundled("diagnoses.txt")))
        self.assertTrue(all(description in diagnoses for description, _ in pairs))


if __name__ == "__main__":
    unittest.main()
