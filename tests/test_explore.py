"""python -m microgpt explore: the page holds the model and runs it. In
headless Chromium the page's attention weights, next-token probabilities and
samples equal the library's (trace.trace, generate.sample), for every variant
a GPT checkpoint can hold and both tokenizers; typing redraws the view; no
console errors; the screenshot is not blank. The models the page has no
forward pass of (a classifier, a GPT that reads the whole sequence, an LSTM,
the encoder-decoder) get a page of the library's traces (trace_whole,
classification.probabilities, recurrent.py's steps, trace_seq2seq), equal in
the browser too, the encoder-decoder's as its menus redraw the heatmap."""
import contextlib
import io
import json
import math
import random
import re
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.architectures import bert as classification, pairs
from microgpt.commands import explore
from microgpt.config import ARCHITECTURES, Config
from microgpt.generate import sample
from microgpt.plumbing import checkpoint
from microgpt.plumbing.corpus import load_docs
from microgpt.plumbing.terminal import heatmap_key
from microgpt.architectures.recurrent import initial_state, recurrent
from microgpt.instruments.readout import trace, trace_whole
from microgpt.instruments.three_kinds import KINDS, trace_seq2seq
from microgpt.architectures.catalog import start
from microgpt.training import start_planned, train_step
from tests import browser
from tests.support import assert_one_line_error, run

NAMES = load_docs("names.txt")[:300]
DIAGNOSES = load_docs("diagnoses.txt")[:150]
VARIANTS = {  # name: (documents, config), between them every switch of a GPT checkpoint
    "reference": (NAMES, dict()),
    "layernorm gelu sinusoidal tied": (NAMES, dict(norm="layernorm", activation="gelu",
                                                   position="sinusoidal", tie_weights=True)),
    "post-LN, no residual, no scale, no positions": (NAMES, dict(
        norm_placement="post", residual=False, attention_scale=False, position="none",
        norm="layernorm")),
    "bpe": (DIAGNOSES, dict(tokenizer="bpe", bpe_vocab_size=70, block_size=12)),
    "rope, multi-query, swiglu": (NAMES, dict(position="rope", kv_heads=1, activation="swiglu")),
    "rope, grouped-query, swiglu, layernorm": (NAMES, dict(
        n_head=4, kv_heads=2, position="rope", activation="swiglu", norm="layernorm")),
    "gpt2: biases, final norm, no embedding norm": (NAMES, dict(ARCHITECTURES["gpt2"])),
    "gpt2 with rope, grouped-query, swiglu": (NAMES, dict(ARCHITECTURES["gpt2"], position="rope",
                                                          kv_heads=2, activation="swiglu")),
}
TEXTS = {"reference": ["", "emma", "zyxqa"], "bpe": ["Cholera due", "acute  otitis", "of the"]}


def tiny(docs, settings, steps=15):
    """A small model trained for a few steps: weights away from their start."""
    config = Config(**{**dict(n_embd=8, n_head=2, n_layer=2, steps=steps, lr=0.05), **settings})
    examples, state = start(docs, config)
    while state.step < steps:
        train_step(state, examples)
    return state


def tiny_classifier(steps=10):
    """A classifier of names and medical words, trained a few steps."""
    config = Config(model="classifier", causal_mask=False, n_embd=8, n_head=2, n_layer=2,
                    block_size=12, steps=steps, lr=0.05)
    examples, state = start_planned(classification.plan(
        [NAMES[:100], load_docs("medical_words.txt")[:100]], config))
    state.classes = ["names", "medical_words"]
    while state.step < steps:
        train_step(state, examples)
    return state


def tiny_lstm(steps=10):
    """An LSTM language model of names, trained a few steps."""
    config = Config(model="lstm", n_embd=8, steps=steps, lr=0.05)
    examples, state = start(NAMES, config)
    while state.step < steps:
        train_step(state, examples)
    return state


def tiny_seq2seq(steps=10):
    """An encoder-decoder of two layers that reverses names, trained a few steps."""
    config = Config(n_embd=8, n_head=2, n_layer=2, block_size=8, steps=steps, lr=0.05, task="reverse")
    words = [name for name in NAMES if len(name) < 8][:100]
    examples, state = start_planned(pairs.plan(pairs.task_pairs("reverse", words), config))
    while state.step < steps:
        train_step(state, examples)
    return state


def recurrent_probs(state, text):
    """Each position's next-token probabilities, written out here: the
    recurrent step, then the softmax as exp(z - max) / sum."""
    tok = state.tokenizer
    h, out = initial_state(state.config), []
    for token_id in [tok.bos] + tok.encode(text):
        logits, h = recurrent(token_id, h, state.params, state.config)
        zs = [z.data for z in logits]
        es = [math.exp(z - max(zs)) for z in zs]
        out.append([e / sum(es) for e in es])
    return out


def call(argv):
    """explore.main(argv) in this process: (exit status, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            explore.main(argv)
            status = 0
        except SystemExit as e:
            status = e.code
    return status, err.getvalue()


class ExploreCommandTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.model = Path(cls.dir.name) / "model.json"
        cls.state = tiny(NAMES, {}, steps=3)
        checkpoint.save(cls.state, cls.model)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_writes_one_self_contained_page(self):
        out = Path(self.dir.name) / "page.html"
        result = run("-m", "microgpt", "explore", self.model, "--html", out, "--text", "emma")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stderr, r"wrote the explorer page \(\d+ KB\)")
        html = out.read_text(encoding="utf-8")
        self.assertNotIn("://", html)                                  # no network, no CDN
        self.assertIsNone(re.search(r"<(link|img|iframe)|\bsrc=", html))  # nothing fetched
        self.assertEqual(html.count("</script>"), 2)                   # the data and the code

    def test_mistakes_are_one_line(self):
        out = str(Path(self.dir.name) / "x.html")
        assert_one_line_error(self, run("-m", "microgpt", "explore", self.model, "--html", out,
                                        "--text", "emma!"), r"--text 'emma!'.*'!'")
        assert_one_line_error(self, run("-m", "microgpt", "explore", self.model, "--html", out,
                                        "--traces"), r"--traces needs")
        assert_one_line_error(self, run("-m", "microgpt", "explore", "nothing.json", "--html", out),
                              r"nothing.json")
        assert_one_line_error(self, run("-m", "microgpt", "explore", self.model, "--html", out,
                                        "--text", "a" * 40), r"too long")
        self.assertFalse(Path(out).exists())

    def test_the_other_models_imply_traces_and_need_a_text(self):
        d = Path(self.dir.name)
        for name, state in (("classifier", tiny_classifier(2)), ("LSTM", tiny_lstm(2)),
                            ("encoder-decoder", tiny_seq2seq(2)),
                            ("GPT that reads the whole sequence", tiny(NAMES, dict(pad_to=8), 2))):
            with self.subTest(model=name):
                model, out = d / f"{name[:4]}.json", d / f"{name[:4]}.html"
                checkpoint.save(state, model)
                assert_one_line_error(self, run("-m", "microgpt", "explore", model, "--html", out),
                                      rf"holds an? {name}.*--text \(at least one\)")
                assert_one_line_error(self, run("-m", "microgpt", "explore", model, "--html", out,
                                                "--text", "emma!"), r"--text 'emma!'.*'!'")
                assert_one_line_error(self, run("-m", "microgpt", "explore", model, "--html", out,
                                                "--text", "a" * 40), r"too long")
                self.assertFalse(out.exists())
                result = run("-m", "microgpt", "explore", model, "--html", out, "--text", "emma")
                self.assertEqual(result.returncode, 0, result.stderr)
                note, wrote = result.stderr.strip().splitlines()
                self.assertRegex(note, rf"^python -m microgpt explore: note: .*holds an? {name}: "
                                       r"the page holds the traces of the --text values \(--traces\)$")
                self.assertIn("wrote the explorer page", wrote)
                self.assertIn('"mode":"traces"', out.read_text(encoding="utf-8"))

    def test_an_encoder_decoders_page_holds_trace_seq2seqs_numbers(self):
        state, d = tiny_seq2seq(2), Path(self.dir.name)
        model, out = d / "s2s.json", d / "s2s.html"
        checkpoint.save(state, model)
        texts = ["emma", "olivia", ""]
        result = run("-m", "microgpt", "explore", model, "--html", out, *[a for t in texts for a in ("--text", t)])
        self.assertEqual(result.returncode, 0, result.stderr)
        html = out.read_text(encoding="utf-8")
        self.assertLess(len(html.encode()), 100_000)  # 3 texts of a 2-layer, 2-head model: small
        self.assertNotIn("://", html)
        data = json.loads(re.search(r'id="model-data">(.*?)</script>', html, re.S).group(1))
        self.assertEqual((data["mode"], data["model"]), ("traces", "seq2seq"))
        self.assertNotIn("weights", data)
        self.assertIn("an encoder-decoder trained to reverse", data["summary"])
        for text, got in zip(texts, data["traces"]):
            src, tgt, written, maps = trace_seq2seq(state.params, state.config, state.tokenizer, text)
            self.assertEqual((got["text"], got["source"], got["input"], got["output"]),
                             (text, src, tgt, written))
            self.assertEqual([(k["kind"], k["title"]) for k in got["kinds"]], list(KINDS))
            for k in got["kinds"]:
                self.assertEqual(k["layers"], maps[k["kind"]])  # JSON keeps every float's bits

    def test_too_big_a_checkpoint_is_refused_with_its_size(self):
        size = explore.weights_size(self.state)
        with mock.patch.object(explore, "MAX_BYTES", size - 1):
            status, err = call([str(self.model), "--html", str(Path(self.dir.name) / "b.html")])
        self.assertEqual(status, 2)
        self.assertEqual(len(err.strip().splitlines()), 1)
        self.assertIn(f"{size / 1e6:.1f} MB of weights is too big", err)


@browser.needs_chromium
class ExplorePageInChromiumTest(unittest.TestCase):
    def assertClose(self, got, want, what):
        self.assertEqual(len(got), len(want), what)
        for g, w in zip(got, want):
            self.assertLessEqual(abs(g - w), 1e-9, what)

    def compare(self, page, state, texts, samples=()):
        ask = {"texts": texts, "samples": [list(s) for s in samples], "type": texts[-1]}
        answer, log = browser.check(page, ask)
        self.assertEqual(answer["errors"], [])
        self.assertEqual(answer["message"], "")
        self.assertEqual(browser.console_errors(log), [])
        for text, got in zip(texts, answer["traces"]):
            want = trace(state.params, state.config, state.tokenizer, text)
            self.assertEqual([p["token"] for p in got], [p.token for p in want])
            for p, w in zip(got, want):
                for layer in range(state.config.n_layer):
                    for head in range(state.config.n_head):
                        self.assertClose(p["attn_weights"][layer][head],
                                         w.layers[layer][head].attn_weights, (text, p["token"]))
                labels = list(w.next_probs)  # the labels are distinct in these vocabularies
                self.assertEqual(len(labels), state.config.vocab_size)
                self.assertClose(p["next_probs"], [w.next_probs[l] for l in labels], text)
        for (prefix, temperature, seed), got in zip(samples, answer["samples"]):
            want = sample(state.params, state.config, state.tokenizer, random.Random(seed),
                          temperature, prefix=prefix)
            self.assertEqual(got, want)
        return answer

    def test_the_pages_numbers_are_the_librarys(self):
        with tempfile.TemporaryDirectory() as d:
            for name, (docs, settings) in VARIANTS.items():
                with self.subTest(variant=name):
                    state = tiny(docs, settings)
                    page = Path(d) / "page.html"
                    page.write_text(explore.page(state, ["emma"], name), encoding="utf-8")
                    texts = TEXTS.get(name, ["emma", "ann"])
                    samples = [(texts[1][:3], 0.5, 42), ("", 1.0, 7), ("", 0, 1), ("", 0.8, 2 ** 40)]
                    answer = self.compare(page, state, texts, samples)
                    # typing the last text redrew the view: its tokens, every head's heatmap
                    want = [p.token for p in trace(state.params, state.config, state.tokenizer,
                                                   texts[-1])]
                    self.assertEqual(len(answer["typed"]), len(want))
                    self.assertEqual(answer["heatmaps"], state.config.n_layer * state.config.n_head)

    def test_a_traces_page_shows_the_librarys_traces(self):
        state = tiny(NAMES, {})
        with tempfile.TemporaryDirectory() as d:
            page = Path(d) / "traces.html"
            page.write_text(explore.page(state, ["emma", "ann"], "t", mode="traces"), encoding="utf-8")
            self.assertNotIn("weights", explore.page_data(state, ["emma"], "t", mode="traces"))
            self.compare(page, state, ["emma", "ann"])

    def open_traces_page(self, state, texts):
        """(what the page answered, its DOM) for a traces page of texts, which
        must show no error, no message and no console error."""
        with tempfile.TemporaryDirectory() as d:
            page = Path(d) / "traces.html"
            page.write_text(explore.page(state, texts, "t", mode="traces"), encoding="utf-8")
            answer, log = browser.check(page, {"texts": texts, "type": texts[0]})
            dom, _ = browser.dump_dom(page)
        self.assertEqual(answer["errors"], [])
        self.assertEqual(answer["message"], "")
        self.assertEqual(browser.console_errors(log), [])
        return answer, dom

    def test_the_heatmaps_key_is_the_terminals(self):
        key = lambda dom: re.search(r'<p class="note" id="heads-key">(.*?)</p>', dom, re.S).group(1)
        with tempfile.TemporaryDirectory() as d:
            for name, state, mode, kind in (("gpt", tiny(NAMES, {}), "weights", "causal"),
                                            ("classifier", tiny_classifier(), "traces", "whole"),
                                            ("seq2seq", tiny_seq2seq(), "traces", "encoder")):
                with self.subTest(model=name):
                    page = Path(d) / f"{name}.html"
                    page.write_text(explore.page(state, ["emma"], "t", mode=mode), encoding="utf-8")
                    dom, log = browser.dump_dom(page)
                    self.assertEqual(browser.console_errors(log), [])
                    self.assertEqual(key(dom), "\n".join(heatmap_key(kind, page=True)))
                    self.assertIn("one scale for every row and head", key(dom))

    def test_a_classifiers_page_shows_its_traces_and_classes(self):
        state = tiny_classifier()
        texts = ["emma", "fibrosis", ""]
        answer, _ = self.open_traces_page(state, texts)
        self.assertEqual(answer["heatmaps"], state.config.n_layer * state.config.n_head)
        for text, got, classes in zip(texts, answer["traces"], answer["classes"]):
            want = trace_whole(state.params, state.config, state.tokenizer, text)
            self.assertEqual([p["token"] for p in got], [p.token for p in want])
            for p, w in zip(got, want):
                self.assertEqual(p["next_probs"], [])
                for layer in range(state.config.n_layer):
                    for head in range(state.config.n_head):
                        # the whole T x T matrix: every key, the later ones too
                        self.assertEqual(len(p["attn_weights"][layer][head]), len(want))
                        self.assertClose(p["attn_weights"][layer][head],
                                         w.layers[layer][head].attn_weights, text)
            self.assertEqual([c[0] for c in classes], ["names", "medical_words"])
            self.assertClose([c[1] for c in classes], classification.probabilities(
                state.params, state.config, state.tokenizer, text), text)

    def test_a_gpt_that_reads_the_whole_sequence_shows_trace_whole(self):
        state = tiny(NAMES, dict(causal_mask=False, pad_to=8, block_size=8))
        with tempfile.TemporaryDirectory() as d:
            page = Path(d) / "whole.html"
            page.write_text(explore.page(state, ["emma", "ann"], "w", mode="traces"), encoding="utf-8")
            answer, log = browser.check(page, {"texts": ["emma", "ann"], "type": "ann"})
        self.assertEqual(answer["errors"], [])
        self.assertEqual(answer["message"], "")
        self.assertEqual(browser.console_errors(log), [])
        for text, got in zip(["emma", "ann"], answer["traces"]):
            want = trace_whole(state.params, state.config, state.tokenizer, text)
            self.assertEqual([p["token"] for p in got], [p.token for p in want])  # PAD included
            for p, w in zip(got, want):
                for layer in range(state.config.n_layer):
                    for head in range(state.config.n_head):
                        self.assertClose(p["attn_weights"][layer][head],
                                         w.layers[layer][head].attn_weights, text)
                self.assertClose(p["next_probs"], list(w.next_probs.values()), text)

    def test_an_lstms_page_shows_next_token_probabilities_and_no_attention(self):
        state = tiny_lstm()
        texts = ["emma", "zyxqa", ""]
        answer, dom = self.open_traces_page(state, texts)
        self.assertEqual(answer["heatmaps"], 0)
        self.assertIn("has no attention", dom)
        for text, got in zip(texts, answer["traces"]):
            want = recurrent_probs(state, text)
            self.assertEqual(len(got), len(want))
            self.assertEqual([p["token"] for p in got][1:], list(text))
            for p, w in zip(got, want):
                self.assertEqual(p["attn_weights"], [])
                self.assertClose(p["next_probs"], w, text)

    def test_an_encoder_decoders_page_redraws_each_kind_layer_and_head(self):
        state = tiny_seq2seq()
        texts = ["emma", "olivia", ""]
        answer, _ = self.open_traces_page(state, texts)
        c = state.config
        for text, got in zip(texts, answer["traces"]):
            src, tgt, written, maps = trace_seq2seq(state.params, c, state.tokenizer, text)
            self.assertEqual(got["written"], written)           # the output the model wrote
            self.assertEqual(got["heatmaps"], 3 * c.n_layer * c.n_head)
            shapes = {"encoder": (len(src), len(src)), "decoder": (len(tgt), len(tgt)),
                      "cross": (len(tgt), len(src))}
            self.assertEqual([k["kind"] for k in got["kinds"]], ["encoder", "decoder", "cross"])
            for k, (kind, title) in zip(got["kinds"], KINDS):
                self.assertEqual(k["titles"], [f"layer {l}, head {h}: {title}"
                                               for l in range(c.n_layer) for h in range(c.n_head)])
                for layer in range(c.n_layer):
                    for head in range(c.n_head):
                        drawn, want = k["layers"][layer][head], maps[kind][layer][head]
                        self.assertEqual((len(drawn), len(drawn[0])), shapes[kind], (text, kind))
                        for i, (row, wrow) in enumerate(zip(drawn, want)):
                            for j, (w, ww) in enumerate(zip(row, wrow)):
                                if kind == "decoder" and j > i:   # the causal mask: grey
                                    self.assertIsNone(w)
                                    self.assertEqual(ww, 0.0)
                                else:
                                    self.assertLessEqual(abs(w - ww), 1e-9, (text, kind, layer, head))
                if text:  # the menus redrew: each head's heatmap is its own ("": 1 x 1 ones)
                    self.assertNotEqual(k["layers"][0][0], k["layers"][0][1], (text, kind))
                # hovering the last cell of the last head: its weight, query and key
                w = maps[kind][-1][-1][-1][-1]
                rows = {"encoder": src, "decoder": tgt, "cross": written}[kind]
                self.assertEqual(k["hover"], f"weight {w:.4f}<br>query: {rows[-1]} (position "
                                             f"{len(rows) - 1})<br>key: {(tgt if kind == 'decoder' else src)[-1]} "
                                             f"(position {shapes[kind][1] - 1})<br>{title.split(':')[0]}, "
                                             f"layer {c.n_layer - 1}, head {c.n_head - 1}")

    def test_the_page_draws_something(self):
        pages = {"GPT": lambda: explore.page(tiny(NAMES, {}), ["emma"], "m"),
                 "encoder-decoder": lambda: explore.page(tiny_seq2seq(), ["emma", "olivia"], "s",
                                                         mode="traces")}
        for name, make in pages.items():
            with self.subTest(page=name), tempfile.TemporaryDirectory() as d:
                page, png = Path(d) / "page.html", Path(d) / "page.png"
                page.write_text(make(), encoding="utf-8")
                log = browser.screenshot(page, png)
                self.assertEqual(browser.console_errors(log), [])
                share, colours = browser.drawn_share(png)
                self.assertGreater(share, 0.05)   # not one flat colour
                self.assertGreater(colours, 20)   # heatmap shades, text, bars


if __name__ == "__main__":
    unittest.main()
