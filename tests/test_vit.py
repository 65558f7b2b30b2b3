"""The Vision Transformer (patches.py, images.py, python -m microgpt vit),
checked against independent implementations: patches cut by PyTorch's
unfold and by a loop written from the issue's rule, the random stream in
the documented order, the whole model written in PyTorch from the
equations, finite differences; then the command as a learner runs it:
training, the accuracy and the confusion matrix, --image, --eval, a
bit-identical resume, and every listed mistake as one line."""
import dataclasses
import json
import random
import tempfile
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.architectures import catalog, images
from microgpt.architectures.patches import patchify, vit_loss
from microgpt.config import Config, ConfigError
from microgpt.instruments.finite_differences import IMAGES, check
from microgpt.params import flatten, param_shapes
from microgpt.plumbing.corpus import find_bundled
from microgpt.plumbing.terminal import heatmap_key
from microgpt.training import start_planned
from tests.support import ROOT, assert_one_line_error, interrupted, run

try:
    import torch
except ImportError:  # optional: the PyTorch comparison is skipped without it
    torch = None

TINY = ["--n-embd", "8", "--n-head", "2", "--eval-every", "5"]
DIGITS = ROOT / "data" / "digits.csv"


def vit(*args, **kw):
    return run("-m", "microgpt", "vit", *args, **kw)


def some_images(n=40, side=4, seed=0, labels=3):
    """n random images of side x side pixels from 0 to 16, labels 0..labels-1."""
    rng = random.Random(seed)
    return [([rng.randint(0, 16) for _ in range(side * side)], k % labels) for k in range(n)]


def csv_of(imgs):
    return "".join(f"{k}," + ",".join(map(str, px)) + "\n" for px, k in imgs)


class PatchTest(unittest.TestCase):
    def test_patches_tile_the_image_row_by_row(self):
        # the rule, written again: patch (r, c) of the (side/P) x (side/P) grid,
        # numbered left to right then top to bottom, its pixels row by row
        rng = random.Random(1)
        for side, P in ((8, 1), (8, 2), (8, 4), (6, 3), (8, 8)):
            image = [rng.random() for _ in range(side * side)]
            expected = []
            for r in range(side // P):
                for c in range(side // P):
                    patch = []
                    for y in range(r * P, r * P + P):
                        for x in range(c * P, c * P + P):
                            patch.append(image[y * side + x])
                    expected.append(patch)
            with self.subTest(side=side, P=P):
                self.assertEqual(patchify(image, side, P), expected)
                self.assertEqual(sorted(sum(expected, [])), sorted(image))   # each pixel once

    def test_each_token_is_a_patch_scaled_to_0_1(self):
        pixels, _ = images.read_images(DIGITS.read_text(), pixel_max=16)[0]
        config = Config(model="vit", image_size=8, patch=2, block_size=17)
        tokens = images.tokens_of(pixels, config)
        self.assertEqual(len(tokens), 16)
        self.assertEqual(tokens[0], [pixels[0] / 16, pixels[1] / 16, pixels[8] / 16, pixels[9] / 16])
        self.assertTrue(all(0 <= v <= 1 for t in tokens for v in t))


@unittest.skipUnless(torch, "needs PyTorch")
class AgainstPyTorchTest(unittest.TestCase):
    """The ViT written in PyTorch from the equations: unfold cuts the patches."""

    def torch_vit(self, pixels, W, c):
        S, P, E, H, hd = c.image_size, c.patch, c.n_embd, c.n_head, c.head_dim
        rms = lambda x: x * ((x * x).mean(-1, keepdim=True) + 1e-5) ** -0.5
        image = torch.tensor(pixels, dtype=torch.float64).view(S, S) / c.pixel_max
        patches = image.unfold(0, P, P).unfold(1, P, P).reshape(-1, P * P)   # (N, P*P)
        tokens = torch.cat([W["cls"], patches @ W["patch_proj"].T + W["patch_proj.b"]])
        x = rms(tokens + W["wpe"])                                            # (1 + N, E)
        T = x.shape[0]
        for li in range(c.n_layer):
            L = f"layer{li}."
            h = rms(x)
            q, k, v = (h @ W[L + n].T for n in ("attn_wq", "attn_wk", "attn_wv"))
            split = lambda t: t.view(T, H, hd).transpose(0, 1)                # (H, T, hd)
            att = torch.softmax(split(q) @ split(k).transpose(1, 2) / hd ** 0.5, -1) @ split(v)
            x = x + att.transpose(0, 1).reshape(T, E) @ W[L + "attn_wo"].T
            x = x + torch.relu(rms(x) @ W[L + "mlp_fc1"].T) @ W[L + "mlp_fc2"].T
        return W["head"] @ x[0]                                               # CLS: (n_class,)

    def test_loss_and_every_gradient(self):
        for patch in (1, 2, 4):
            config = Config(n_layer=2, n_embd=8, n_head=2, patch=patch, val_fraction=0.2)
            examples, state = start_planned(images.plan(some_images(side=8), config))
            c = state.config
            pixels, label = images.replay(some_images(side=8), c)[0][3]
            self.assertEqual(examples[3], (images.tokens_of(pixels, c), label))
            W = {name: torch.tensor([[p.data for p in row] for row in m], dtype=torch.float64,
                                    requires_grad=True) for name, m in state.params.items()}
            theirs = torch.nn.functional.cross_entropy(self.torch_vit(pixels, W, c)[None],
                                                       torch.tensor([label]))
            theirs.backward()
            ours = vit_loss(examples[3], state.params, c)
            ours.backward()
            with self.subTest(patch=patch):
                self.assertLess(abs(ours.data - theirs.item()), 1e-12)
                grads = torch.tensor([p.grad for p in flatten(state.params)], dtype=torch.float64)
                flat = torch.cat([W[name].grad.flatten() for name in state.params])
                self.assertLess((flat - grads).abs().max(), 1e-9)


class ParameterTest(unittest.TestCase):
    def test_the_order_and_shapes_the_docstring_gives(self):
        c = Config(model="vit", patch=2, image_size=8, block_size=17, n_class=10, n_layer=2)
        self.assertEqual([(n, r, k) for n, r, k in param_shapes(c)], [
            ("patch_proj", 16, 4), ("patch_proj.b", 1, 16), ("cls", 1, 16), ("wpe", 17, 16),
            *[(f"layer{i}.{m}", r, k) for i in range(2) for m, r, k in (
                ("attn_wq", 16, 16), ("attn_wk", 16, 16), ("attn_wv", 16, 16),
                ("attn_wo", 16, 16), ("mlp_fc1", 64, 16), ("mlp_fc2", 16, 64))],
            ("head", 10, 16)])

    def test_the_random_stream_seed_shuffle_then_the_weights_in_order(self):
        imgs = some_images()
        config = Config(patch=2, n_embd=8, n_head=2, seed=7, val_fraction=0.25)
        examples, state = start_planned(images.plan(imgs, config))
        rng = random.Random(7)
        order = list(imgs)
        rng.shuffle(order)                                     # the first draws
        self.assertEqual(examples, images.examples_of(order[:30], state.config))
        for name, rows, cols in param_shapes(state.config):   # then the weights, row by row
            for row in state.params[name]:
                expected = [0.0] * cols if name == "patch_proj.b" else [rng.gauss(0, 0.08)
                                                                         for _ in range(cols)]
                self.assertEqual([p.data for p in row], expected, name)
        self.assertEqual(state.rng.random(), rng.random())     # nothing else was drawn

    def test_gradients_against_finite_differences(self):
        for fields in ({"patch": 1}, {"patch": 2}, {"patch": 4, "norm": "layernorm"},
                       {"patch": 2, "position": "sinusoidal", "activation": "gelu"},
                       {"patch": 2, "norm": "layernorm", "embedding_norm": False}):
            config = Config(n_embd=8, n_head=2, **fields)
            planned = images.plan(IMAGES, config)
            with self.subTest(**fields):
                self.assertLess(max(check(planned.config).values()), 1e-6)

    def test_a_huge_model_is_refused_before_it_is_built(self):
        with self.assertRaisesRegex(ConfigError, "needs about .* of memory"):  # as it is planned
            images.plan(some_images(side=8), Config(n_embd=100_000))

    def test_the_settings_are_checked(self):
        cases = [({"patch": 3}, "patch=3 does not divide the images' side \\(8 pixels\\)"),
                 ({"n_embd": 10, "n_head": 4}, "divisible"),
                 ({"tie_weights": True}, "no tie_weights variant")]
        for fields, message in cases:
            with self.subTest(**fields), self.assertRaisesRegex(ConfigError, message):
                images.plan(some_images(side=8), Config(**fields))
        with self.assertRaisesRegex(ConfigError, "causal_mask=True"):
            catalog.check(dataclasses.replace(images.plan(some_images(), Config()).config,
                                              causal_mask=True))


class DataTest(unittest.TestCase):
    def test_the_bundled_digits(self):
        self.assertEqual(find_bundled("digits.csv"), DIGITS.resolve())
        imgs = images.read_images(DIGITS.read_text(), "digits.csv")
        self.assertEqual(len(imgs), 1797)
        self.assertEqual({len(px) for px, _ in imgs}, {64})
        self.assertEqual(sorted({k for _, k in imgs}), list(range(10)))
        self.assertTrue(all(v == int(v) and 0 <= v <= 16 for px, _ in imgs for v in px))
        self.assertEqual(imgs[0][1], 0)                  # the source's first row is a zero
        self.assertEqual(imgs[0][0][:8], [0, 0, 5, 13, 9, 1, 0, 0])

    def test_bad_csv_is_one_error_naming_the_line(self):
        cases = {"1,0,1,2,3\n0,4,5,6\n": "line 2: 3 pixels where line 1 has 4",
                 "1,0,1,2\n": "line 1: 3 pixels are not a square image",
                 "1,0,1,2,17\n": "line 1: pixel 3 is 17, outside 0 to 16",
                 "1,0,1,2,-0.5\n": "pixel 3 is -0.5, outside",
                 "x,y\n": "no images",
                 "1.5,0,0,0,0\n": "the label '1.5' is not a whole number",
                 "2,0,0,a,0\n": "pixel 2 is 'a', not a number",
                 "3\n": "0 pixels are not a square image"}
        for text, message in cases.items():
            with self.subTest(text=text), self.assertRaisesRegex(images.BadImages, message):
                images.read_images(text)


class CommandTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls._tmp.name)
        cls.model = cls.dir / "vit.json"
        cls.trained = vit("--steps", "20", *TINY, "--out", cls.model, cwd=cls.dir)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_trains_on_the_bundled_digits_and_scores_the_held_out_ones(self):
        r = self.trained
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("images: 1797 of 8 x 8 pixels from 0 to 16, labels 0 to 9", r.stdout)
        self.assertIn("tokens: CLS and 16 patches of 2 x 2 pixels (block size 17)", r.stdout)
        self.assertIn("num train: 1617, num held out: 180", r.stdout)
        self.assertEqual(sum(l.startswith("step ") for l in r.stdout.splitlines()), 20)
        self.assertRegex(r.stdout, r"held-out accuracy: \d+\.\d% \(\d+ of 180\)")
        rows = r.stdout.split("true \\ predicted")[1].splitlines()[1:11]
        self.assertEqual(sum(int(n) for row in rows for n in row.split()[1:]), 180)
        self.assertRegex(r.stderr, r"training: step \d+ / 20, about .* left")

    def test_image_shows_the_digit_the_guess_and_where_cls_looks(self):
        r = vit(self.model, "--image", "3", "--svg", "3.svg", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"held-out image 3 of 180: label \d; the model reads \d")
        self.assertIn("where CLS looks (layer 0, mean of 2 heads)", r.stdout)
        self.assertIn("\n".join(heatmap_key("image")), r.stdout)        # the heatmap's key
        self.assertIn("one scale for the whole picture", r.stdout)
        grid = [l for l in r.stdout.splitlines() if l.startswith("│")]
        self.assertEqual(len(grid), 8)                    # the 8 x 8 grid, side by side
        percents = r.stdout.split("(%):")[1].split()
        on_itself = float(r.stdout.split("% on itself")[0].split()[-1])
        self.assertEqual(len(percents), 16)
        self.assertAlmostEqual(sum(map(float, percents)) + on_itself, 100, delta=8)
        svg = (self.dir / "3.svg").read_text()
        self.assertEqual(svg.count("<rect x="), 3 * (64 + 1) + 1)  # mean, 2 heads; frames; bar

    def test_eval_scores_another_file(self):
        lines = DIGITS.read_text().splitlines()[:30]
        (self.dir / "some.csv").write_text("\n".join(lines) + "\n")
        r = vit(self.model, "--eval", "some.csv", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"accuracy on some.csv: \d+\.\d% \(\d+ of 30\)")
        r = vit(self.model, "--eval", "some.csv", "--image", "29", cwd=self.dir)
        self.assertIn("some.csv, row 29: label", r.stdout)

    def test_interrupt_and_resume_is_bit_identical(self):
        args = ["--patch", "4", *TINY, "--steps", "60"]
        whole = vit(*args, cwd=self.dir)
        first, err, status = interrupted("vit", [*args, "--out", "r.json"], self.dir, 10)
        self.assertEqual(status, 130, err)
        self.assertIn("saved to r.json", err)
        resumed = vit("--resume", "r.json", cwd=self.dir)
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        steps = lambda out: [l for l in out.splitlines() if l.startswith(("step ", "held-out"))]
        self.assertEqual(steps(first) + steps(resumed.stdout), steps(whole.stdout))
        tail = lambda out: out.split("step   60 /   60")[1].split("(python -m microgpt vit")[0]
        self.assertEqual(tail(resumed.stdout), tail(whole.stdout))
        self.assertIn("held-out accuracy", tail(whole.stdout))
        saved = json.loads((self.dir / "r.json").read_text())
        self.assertEqual((saved["config"]["model"], saved["config"]["patch"]), ("vit", 4))
        self.assertEqual(len(saved["params"]["patch_proj"][0]), 16)

    def test_your_own_csv_with_a_header_and_its_own_range(self):
        rng = random.Random(3)
        rows = [f"{k % 2}," + ",".join(str(rng.randint(0, 255)) for _ in range(16)) for k in range(20)]
        (self.dir / "mine.csv").write_text("label," + ",".join(f"p{i}" for i in range(16)) + "\n"
                                           + "\n".join(rows) + "\n")
        r = vit("mine.csv", "--pixel-max", "255", "--patch", "1", "--steps", "3", *TINY,
                cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("images: 20 of 4 x 4 pixels from 0 to 255, labels 0 to 1", r.stdout)
        self.assertIn("tokens: CLS and 16 patches of 1 x 1 pixels (block size 17)", r.stdout)

    def test_mistakes_are_one_line_errors(self):
        files = {"ragged.csv": "1,0,1,2,3\n0,4,5,6\n", "oblong.csv": "1,0,1,2\n0,4,5,6\n",
                 "bright.csv": "1,0,1,2,17\n0,4,5,6,7\n", "dark.csv": "1,0,-1,2,3\n0,4,5,6,7\n"}
        for name, text in files.items():
            (self.dir / name).write_text(text)
        run("-m", "microgpt.train", "names.txt", "--steps", "1", "--n-embd", "8", "--n-head", "2",
            "--num-samples", "1", "--out", "gpt.json", cwd=self.dir)
        cases = [
            (["ragged.csv"], "ragged.csv, line 2: 3 pixels where line 1 has 4"),
            (["oblong.csv"], "oblong.csv, line 1: 3 pixels are not a square image"),
            (["bright.csv"], "pixel 3 is 17, outside 0 to 16 \\(--pixel-max\\)"),
            (["dark.csv"], "pixel 1 is -1, outside 0 to 16"),
            (["--patch", "3"], "--patch 3 does not divide the images' side \\(8 pixels\\)"),
            (["--patch", "0"], "--patch: must be at least 1"),
            (["--n-embd", "100000"], "needs about .* of memory"),
            (["--causal-mask", "on"], "does not apply to the Vision Transformer"),
            (["nosuch.csv"], "nosuch.csv: no such file"),
            (["vit.json"], "vit.json is a checkpoint, not images"),
            (["vit.json", "--image", "180"], "--image 180: vit.json held out 180 images"),
            (["vit.json", "--eval", "ragged.csv"], "ragged.csv, line 2"),
            (["vit.json", "--eval", "bright.csv", "--pixel-max", "20"], "take no training flags"),
            (["vit.json", "--svg", "x.svg"], "give --image too"),
            (["gpt.json", "--image", "1"], "not a Vision Transformer's"),
            (["--resume", "vit.json"], "is finished"),
        ]
        for args, pattern in cases:
            with self.subTest(args=args):
                assert_one_line_error(self, vit(*args, cwd=self.dir), pattern)
        for cmd in (["-m", "microgpt.sample", "vit.json"], ["-m", "microgpt.train", "--resume", "vit.json"],
                    ["-m", "microgpt", "inspect", "vit.json", "3"],
                    ["-m", "microgpt", "classify", "vit.json", "--text", "3"],
                    ["-m", "microgpt", "explore", "vit.json", "--html", "x.html"]):
            with self.subTest(cmd=cmd):
                assert_one_line_error(self, run(*cmd, cwd=self.dir), "vit")


if __name__ == "__main__":
    unittest.main()
