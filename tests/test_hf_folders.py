"""Hugging Face's GPT-2 both ways: safetensors files read and written with the
standard library (against the safetensors package), a random GPT-2 made with
transformers read by microgpt (every next-token probability and every head's
attention equal to transformers', float64), a microgpt model exported and read
by GPT2LMHeadModel (and the reference's by examples/gpt_in_pytorch.py), and
the commands that take a model folder."""
import json
import shutil
import struct
import tempfile
import sys
import unittest
from array import array
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.architectures.catalog import start
from microgpt.config import ARCHITECTURES, Config
from microgpt.fused import softmax_data
from microgpt.instruments.finite_differences import DOCS
from microgpt.instruments.readout import trace
from microgpt.model import gpt
from microgpt.plumbing import checkpoint
from microgpt.plumbing.model_folder import load_folder, open_model
from microgpt.plumbing.tensorfile import TensorFileError, read_header, save, tensors
from microgpt.training import train_step
from tests.support import ROOT, assert_one_line_error, run

try:
    import torch
    import transformers
    import safetensors.torch
    import tokenizers
except ImportError:  # optional: the comparisons with Hugging Face are skipped without them
    torch = transformers = tokenizers = None
needs_hf = unittest.skipIf(transformers is None, "needs torch, transformers, safetensors and "
                                                 "tokenizers (pip install transformers safetensors)")
TEXT = "The animal didn't cross the street because it was too tired"


def header_file(path, header, data=b"", length=None):
    """A file of an 8-byte length, the header's JSON and data, as a malformed one may be."""
    raw = json.dumps(header).encode() if isinstance(header, dict) else header
    path.write_bytes(struct.pack("<Q", len(raw) if length is None else length) + raw + data)
    return path


class TensorFileTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)

    def test_round_trip_f32_and_f64(self):
        values = [0.1, -2.5, 3.0, 1e-20, 7.25, -0.0]
        for dtype, want in (("F64", values), ("F32", [struct.unpack("f", struct.pack("f", x))[0]
                                                      for x in values])):
            path = self.dir / f"{dtype}.safetensors"
            save(path, {"a": ([2, 3], values), "b": ([1], [4.0])}, {"k": "v"}, dtype)
            entries, metadata, start = read_header(path)
            self.assertEqual(metadata, {"writer": "microgpt", "k": "v"})  # the writer: owned.py
            self.assertEqual(start % 8, 0)
            got = {name: (shape, list(flat)) for name, shape, flat in tensors(path)}
            self.assertEqual(got, {"a": ([2, 3], want), "b": ([1], [4.0])})

    def test_each_malformed_file_is_one_error_naming_what_is_wrong(self):
        f32 = lambda n: {"dtype": "F32", "shape": [n], "data_offsets": None}
        cases = {
            "too short": (b"\x01\x02", None, r"too short"),
            "header longer than the file": ({"a": {**f32(1), "data_offsets": [0, 4]}}, 10 ** 6,
                                            r"header is 1,000,000 bytes long.*longer than"),
            "not JSON": (b"{not json", None, r"not JSON"),
            "unknown dtype": ({"a": {"dtype": "F13", "shape": [1], "data_offsets": [0, 4]}}, None,
                              r"unknown dtype 'F13'"),
            "shape against bytes": ({"a": {**f32(3), "data_offsets": [0, 8]}}, None,
                                    r"shape \[3\] of F32 is 12 bytes.*span 8"),
            "overlap": ({"a": {**f32(2), "data_offsets": [0, 8]},
                         "b": {**f32(2), "data_offsets": [4, 12]}}, None, r"'a'.*'b'.*overlap"),
            "hole": ({"a": {**f32(1), "data_offsets": [0, 4]},
                      "b": {**f32(1), "data_offsets": [8, 12]}}, None, r"4\.\.8 belong to no tensor"),
            "truncated": ({"a": {**f32(4), "data_offsets": [0, 16]}}, None, r"ends 4 bytes before"),
            "bytes left over": ({"a": {**f32(1), "data_offsets": [0, 4]}}, None,
                                r"8 bytes after the last tensor"),
            "name twice": (b'{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, '
                           b'"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', None,
                           r"'a' appears twice"),
        }
        data = {"truncated": bytes(12), "bytes left over": bytes(12), "overlap": bytes(12),
                "hole": bytes(12), "shape against bytes": bytes(8)}
        for name, (header, length, pattern) in cases.items():
            with self.subTest(name):
                if name == "too short":
                    path = self.dir / "x.safetensors"
                    path.write_bytes(header)
                else:
                    path = header_file(self.dir / "x.safetensors", header,
                                       data.get(name, bytes(4)), length)
                with self.assertRaises(TensorFileError) as caught:
                    list(tensors(path))
                self.assertRegex(str(caught.exception), pattern)
                self.assertEqual(len(str(caught.exception).splitlines()), 1)

    def test_a_command_says_it_in_one_line(self):
        folder = self.dir / "model"
        folder.mkdir()
        (folder / "config.json").write_text(json.dumps({"model_type": "gpt2", "n_layer": 1,
                                                        "n_embd": 4, "n_head": 1, "n_positions": 4,
                                                        "vocab_size": 5}))
        header_file(folder / "model.safetensors", {"a": {"dtype": "Q8", "shape": [1],
                                                         "data_offsets": [0, 1]}}, b"x")
        assert_one_line_error(self, run("-m", "microgpt", "inspect", folder, "ab"),
                              r"unknown dtype 'Q8'")

    @needs_hf
    def test_the_safetensors_packages_files_and_ours(self):
        g = torch.Generator().manual_seed(0)
        made = {"w": torch.randn(3, 5, generator=g), "half": torch.randn(7, generator=g).half(),
                "bf": torch.randn(2, 3, generator=g).bfloat16(), "d": torch.randn(4, generator=g).double(),
                "steps": torch.arange(3)}  # an integer tensor: its layout is read, not its values
        path = self.dir / "theirs.safetensors"
        safetensors.torch.save_file(made, str(path), metadata={"format": "pt"})
        for name, shape, flat in tensors(path, ["w", "half", "bf", "d"]):
            self.assertEqual(shape, list(made[name].shape))
            self.assertEqual(list(flat), made[name].double().flatten().tolist(), name)
        ours = self.dir / "ours.safetensors"
        for dtype in ("F32", "F64"):
            save(ours, {"x": ([2, 2], [1.5, -0.25, 3.0, 0.1]), "y": ([3], [1.0, 2.0, 3.0])},
                 {"format": "pt"}, dtype)
            loaded = safetensors.torch.load_file(str(ours))
            self.assertEqual(loaded["x"].dtype, torch.float32 if dtype == "F32" else torch.float64)
            self.assertEqual(loaded["x"].double().flatten().tolist(),
                             [1.5, -0.25, 3.0, 0.1 if dtype == "F64" else float(torch.tensor(0.1))])
            self.assertEqual(loaded["y"].tolist(), [1.0, 2.0, 3.0])


def random_gpt2(folder, dtype=None, spelling="transformer."):
    """A two-layer GPT-2 made by transformers with random weights (and a byte-level
    BPE trained by tokenizers on bundled text), saved with save_pretrained; its model."""
    torch.manual_seed(0)
    tok = tokenizers.Tokenizer(tokenizers.models.BPE())
    tok.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<|endoftext|>"], show_progress=False,
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator((ROOT / "data" / "diagnoses.txt").read_text().splitlines()[:3000]
                            + [TEXT], trainer)
    config = transformers.GPT2Config(n_layer=2, n_embd=24, n_head=3, n_positions=64,
                                     vocab_size=tok.get_vocab_size(), bos_token_id=0, eos_token_id=0)
    model = transformers.GPT2LMHeadModel(config)
    with torch.no_grad():  # lively weights: biases and gains away from their 0 and 1
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.2)
    model.to(dtype or torch.float32).save_pretrained(folder)
    tok.save(str(Path(folder) / "tokenizer.json"))
    if spelling != "transformer.":  # the original GPT-2 file's names, with its mask buffers
        sd = safetensors.torch.load_file(str(Path(folder) / "model.safetensors"))
        sd = {k.replace("transformer.", ""): v for k, v in sd.items()}
        for i in range(2):
            sd[f"h.{i}.attn.bias"] = torch.ones(1, 1, 64, 64).tril()
        safetensors.torch.save_file(sd, str(Path(folder) / "model.safetensors"), {"format": "pt"})
    return tok


def hf_reads(folder, ids):
    """transformers' next-token probabilities and attention weights, float64."""
    model = transformers.GPT2LMHeadModel.from_pretrained(folder, dtype=torch.float64,
                                                         attn_implementation="eager")
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_attentions=True)
    return out.logits[0].softmax(-1).tolist(), [a[0].tolist() for a in out.attentions]


@needs_hf
class ImportTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)

    def assert_reads_as_hf(self, folder, tok, tolerance=1e-8):
        state, _ = open_model(str(folder))
        ids = tok.encode(TEXT).ids
        self.assertEqual(state.tokenizer.encode(TEXT), ids)
        probs, attention = hf_reads(folder, ids)
        positions = trace(state.params, state.config, state.tokenizer, TEXT)
        self.assertEqual([p.id for p in positions], ids)  # no BOS: the text's own tokens
        worst = 0.0
        for i, p in enumerate(positions):
            worst = max(worst, max(abs(a - b) for a, b in zip(p.probs, probs[i])))
            for layer in range(2):
                for head in range(3):
                    want = attention[layer][head][i][:i + 1]
                    got = p.layers[layer][head].attn_weights
                    worst = max(worst, max(abs(a - b) for a, b in zip(got, want)))
        self.assertLess(worst, tolerance)
        return state

    def test_probabilities_and_every_heads_attention_are_transformers(self):
        tok = random_gpt2(self.dir)
        state = self.assert_reads_as_hf(self.dir, tok)
        self.assertIsInstance(state.params["wte"][0], array)  # plain floats, 4 bytes a weight
        self.assertEqual(state.params["wte"][0].itemsize, 4)

    def test_the_original_spelling_half_and_bfloat16(self):
        for name, dtype, spelling in (("original", None, ""), ("half", torch.float16, ""),
                                      ("bf16", torch.bfloat16, "transformer.")):
            with self.subTest(name):
                folder = self.dir / name
                tok = random_gpt2(folder, dtype, spelling)
                self.assert_reads_as_hf(folder, tok)

    def test_inspect_json_is_what_transformers_computes(self):
        tok = random_gpt2(self.dir)
        out = self.dir / "out.json"
        result = run("-m", "microgpt", "inspect", self.dir, TEXT, "--json", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        got = json.loads(out.read_text())
        ids = tok.encode(TEXT).ids
        probs, attention = hf_reads(self.dir, ids)
        self.assertEqual(got["ids"], ids)
        self.assertEqual(got["tokens"], [tok.decode([i]) for i in ids])
        best = sorted(range(len(probs[-1])), key=lambda i: -probs[-1][i])[:10]
        self.assertEqual([n["id"] for n in got["next"]], best)
        for n in got["next"]:
            self.assertAlmostEqual(n["p"], probs[-1][n["id"]], delta=1e-8)
            self.assertEqual(n["token"], tok.decode([n["id"]]))
        for layer in range(2):
            for head in range(3):
                for i, row in enumerate(got["attention"][layer][head]):
                    self.assertEqual(len(row), i + 1)
                    for a, b in zip(row, attention[layer][head][i]):
                        self.assertAlmostEqual(a, b, delta=1e-8)

    def test_sample_heads_and_explore_take_the_folder(self):
        random_gpt2(self.dir)
        sampled = run("-m", "microgpt.sample", self.dir, "--prefix", "The animal", "--seed", "3")
        self.assertEqual(sampled.returncode, 0, sampled.stderr)
        self.assertRegex(sampled.stdout, r"^sample  1: The animal")
        self.assertEqual(len(sampled.stdout.splitlines()), 1)  # a folder: one sample
        docs = self.dir / "docs.txt"
        docs.write_text("the street was too wide\nit was tired\n")
        heads = run("-m", "microgpt", "inspect", self.dir, "--heads", "--data", docs)
        self.assertEqual(heads.returncode, 0, heads.stderr)
        self.assertIn(" first ", heads.stdout.splitlines()[2])
        assert_one_line_error(self, run("-m", "microgpt", "inspect", self.dir, "--heads"),
                              "no training data")
        page = self.dir / "page.html"
        explored = run("-m", "microgpt", "explore", self.dir, "--text", TEXT, "--html", page)
        self.assertEqual(explored.returncode, 0, explored.stderr)
        self.assertIn("traces", explored.stderr)
        assert_one_line_error(self, run("-m", "microgpt", "explore", self.dir, "--html", page),
                              "--text")

    def test_a_folder_that_is_not_gpt2_is_one_error(self):
        random_gpt2(self.dir)
        config = json.loads((self.dir / "config.json").read_text())
        (self.dir / "config.json").write_text(json.dumps({**config, "n_embd": 12}))
        assert_one_line_error(self, run("-m", "microgpt", "inspect", self.dir, "The"),
                              r"has shape \[400, 24\].*needs \[400, 12\]")
        (self.dir / "config.json").write_text(json.dumps({**config, "activation_function": "gelu"}))
        assert_one_line_error(self, run("-m", "microgpt.sample", self.dir), "gelu_new")


def trained(**settings):
    """A small model trained a few steps on names, some of them in pairs (so a
    space is a token): its weights away from their start."""
    docs = DOCS + ["olivia ava", "emma noah mia"]
    examples, state = start(docs, Config(n_layer=2, n_embd=12, n_head=3, block_size=12, steps=6,
                                         lr=0.05, **settings))
    for _ in range(6):
        train_step(state, examples)
    return state


def probabilities(state, ids):
    """microgpt's next-token probabilities at every position of ids (the Value path)."""
    c = state.config
    keys, values = [[] for _ in range(c.n_layer)], [[] for _ in range(c.n_layer)]
    return [softmax_data([y.data for y in gpt(t, pos, keys, values, state.params, c)])
            for pos, t in enumerate(ids)]


@needs_hf
class ExportTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)

    def export(self, state, *flags):
        model, folder = self.dir / "m.json", self.dir / "out"
        checkpoint.save(state, model)
        result = run("-m", "microgpt", "export", model, folder, *flags)
        self.assertEqual(result.returncode, 0, result.stderr)
        return model, folder

    def test_gpt2_architecture_loads_in_transformers_with_the_same_probabilities(self):
        for tokenizer in ("char", "bpe"):
            with self.subTest(tokenizer=tokenizer):
                state = trained(**ARCHITECTURES["gpt2"], **({"tokenizer": "bpe", "bpe_vocab_size": 40}
                                                          if tokenizer == "bpe" else {}))
                _, folder = self.export(state)
                hf_tok = transformers.AutoTokenizer.from_pretrained(folder)
                ids = [state.tokenizer.bos] + hf_tok("olivia ava")["input_ids"]
                self.assertEqual(ids, state.tokenizer.encode_prompt("olivia ava"))
                model = transformers.GPT2LMHeadModel.from_pretrained(folder)
                self.assertEqual(next(model.parameters()).dtype, torch.float64)
                with torch.no_grad():
                    theirs = model(torch.tensor([ids])).logits[0].softmax(-1).tolist()
                for ours, want in zip(probabilities(state, ids), theirs):
                    self.assertLess(max(abs(a - b) for a, b in zip(ours, want)), 1e-8)
                back, _ = open_model(str(folder))  # and back into microgpt: the same model
                self.assertEqual(back.config, state.config)
                self.assertEqual(back.tokenizer.encode("olivia ava"), state.tokenizer.encode("olivia ava"))

    def test_float32_weights(self):
        state = trained(**ARCHITECTURES["gpt2"])
        _, folder = self.export(state, "--dtype", "F32")
        ids = [state.tokenizer.bos] + state.tokenizer.encode("emma")
        model = transformers.GPT2LMHeadModel.from_pretrained(folder, dtype=torch.float64)
        with torch.no_grad():
            theirs = model(torch.tensor([ids])).logits[0].softmax(-1).tolist()
        back = load_folder(folder)  # microgpt on the same float32 weights
        self.assertEqual(back.params["wte"][0].typecode, "f")
        for ours, want in zip(probabilities(back, ids), theirs):
            self.assertLess(max(abs(a - b) for a, b in zip(ours, want)), 1e-8)
        for ours, exact in zip(probabilities(back, ids), probabilities(state, ids)):
            self.assertLess(max(abs(a - b) for a, b in zip(ours, exact)), 1e-5)

    def test_the_reference_runs_in_plain_pytorch(self):
        state = trained()
        model, folder = self.export(state)
        self.assertFalse((folder / "config.json").exists())
        example = run(ROOT / "examples" / "gpt_in_pytorch.py", folder, "emma")
        self.assertEqual(example.returncode, 0, example.stderr)
        out = self.dir / "next.json"
        self.assertEqual(run("-m", "microgpt", "inspect", model, "emma", "--json", out).returncode, 0)
        want = json.loads(out.read_text())["next"]
        got = [line.split() for line in example.stdout.splitlines()]
        self.assertEqual([int(g[-1].rstrip(")")) for g in got], [n["id"] for n in want])
        for g, n in zip(got, want):
            self.assertAlmostEqual(float(g[0]), n["p"], delta=1e-12)

    def test_another_architecture_is_refused_naming_what_it_lacks(self):
        state = trained(norm="layernorm", activation="gelu")
        model = self.dir / "m.json"
        checkpoint.save(state, model)
        result = run("-m", "microgpt", "export", model, self.dir / "out")
        assert_one_line_error(self, result, "lacks --tie-weights --bias --final-norm "
                                            "--no-embedding-norm of --arch gpt2")
        self.assertFalse((self.dir / "out").exists())
        checkpoint.save(trained(position="sinusoidal", **ARCHITECTURES["gpt2"]), model)
        assert_one_line_error(self, run("-m", "microgpt", "export", model, self.dir / "out"),
                              "has --position sinusoidal, which neither has")


class RandomFolderTest(unittest.TestCase):
    def test_the_script_makes_a_folder_microgpt_reads(self):
        with tempfile.TemporaryDirectory() as d:
            made = run(ROOT / "examples" / "random_gpt2.py", d, "--n-layer", "1", "--n-embd", "8",
                       "--n-head", "2")
            self.assertEqual(made.returncode, 0, made.stderr)
            out = Path(d) / "out.json"
            result = run("-m", "microgpt", "inspect", d, TEXT, "--json", out)
            self.assertEqual(result.returncode, 0, result.stderr)
            got = json.loads(out.read_text())
            self.assertEqual(got["tokens"], ["The", " animal", " didn", "'t", " cross", " the",
                                             " street", " because", " it", " was", " too", " tired"])
            self.assertEqual(len(got["attention"][0]), 2)  # one layer of two heads
            for i, row in enumerate(got["attention"][0][1]):
                self.assertEqual(len(row), i + 1)
                self.assertAlmostEqual(sum(row), 1.0, delta=1e-12)


if __name__ == "__main__":
    unittest.main()
