"""The benchmark command: it runs, prints every figure it promises, its graph
sizes are the ones counted by hand from the ops the model makes, and user
mistakes are one-line errors. (It measures speed; no test asserts one.) The
models are shrunk so the whole file takes a few seconds."""
import contextlib
import io
import os
import re
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.commands import bench
from microgpt.plumbing.corpus import load_docs
from tests.support import BUNDLED_NAMES, assert_one_line_error, run

TINY = {"small 1x8": {"n_embd": 8, "n_head": 2, "block_size": 1},   # one position a step
        "small 2x8": {"n_layer": 2, "n_embd": 8, "n_head": 2, "block_size": 1}}


def hand_count(E, H, L, V, n):
    """(nodes, edges) of the graph of one document of n positions, for the
    reference's model (RMSNorm, ReLU, learned positions, lm_head) of width E,
    H heads, L layers and V tokens, counted by hand from the ops gpt(),
    attention() and document_loss() make. Each node is one op (a leaf, a
    weight or the input, is none); its edges are its children. At position t
    the cache holds k = t + 1 keys; d = E / H:

                                                           nodes        edges
        wte[token] + wpe[t]: E adds of 2                   E            2E
        rmsnorm: dot(x, x) of 2E; / E, + 1e-5, ** -0.5     E + 4        4E + 3
          of 1 each; E products x_i * scale of 2
        each layer:
          rmsnorm                                          E + 4        4E + 3
          q, k, v: 3E dots of 2E                           3E           6E^2
          each head: k dots q_h . k_t of 2d, k divisions   3k + 1 + d   4dk + 4k
            by sqrt(d) of 1, a logsumexp of k and k
            softmax outputs of 2, d dots of the k
            weights with k values (2k)
          attn_wo: E dots of 2E; E residual adds of 2      2E           2E^2 + 2E
          rmsnorm                                          E + 4        4E + 3
          mlp_fc1: 4E dots of 2E; 4E relus of 1            8E           8E^2 + 4E
          mlp_fc2: E dots of 8E; E residual adds of 2      2E           8E^2 + 2E
        lm_head: V dots of 2E; a cross_entropy of V        V + 1        2EV + V

    A layer so makes 18E + 8 + H(3k + 1) nodes and 24E^2 + 16E + 6 + 4(E + H)k
    edges; once per document, the sum of the n losses (n children) times 1/n
    (1) adds 2 nodes and n + 1 edges."""
    nodes = edges = 0
    for t in range(n):
        k = t + 1
        nodes += E + (E + 4) + L * (18 * E + 8 + H * (3 * k + 1)) + V + 1
        edges += 2 * E + (4 * E + 3) + L * (24 * E * E + 16 * E + 6 + 4 * (E + H) * k) + 2 * E * V + V
    return nodes + 2, edges + n + 1


class BenchTest(unittest.TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.three = os.path.join(folder.name, "three.txt")  # fewer documents than the profile's 10
        with open(self.three, "w", encoding="utf-8") as f:
            f.write("anna\nbob\ncharlotte\n")

    def main(self, *args):
        out = io.StringIO()
        with mock.patch.dict(bench.MODELS, TINY, clear=True), \
                mock.patch.object(bench, "COLLECTOR_STEPS", 2), contextlib.redirect_stdout(out):
            bench.main([str(a) for a in args])
        return out.getvalue()

    def test_prints_ms_per_step_memory_and_graph_size_for_each_model(self):
        out = self.main(BUNDLED_NAMES, "--steps", "2")
        for model, fields in TINY.items():
            ms, peak = re.search(rf"{model} +2 +([\d.]+) +([\d.]+)\n", out).groups()
            self.assertGreater(float(ms), 0)
            self.assertGreater(float(peak), 1)
            # nodes, edges; forward, chain rule, Adam, free, (sort)
            row = re.search(rf"  {model} +([\d,]+) +([\d,]+)( +[\d.-]+){{5}}\n", out)
            nodes, edges = (int(x.replace(",", "")) for x in row.groups()[:2])
            # one position (block size 1), 27 tokens: 1x8 is E + (E + 4) + (18E + 8 + 4H) + V + 1
            # + 2 = 8 + 12 + 160 + 28 + 2 = 210 nodes, and 2E + (4E + 3) + (24E^2 + 20E + 6 + 4H)
            # + 2EV + V + 2 = 16 + 35 + 1710 + 459 + 2 = 2222 edges; 2x8 has a second layer's
            # 160 nodes and 1710 edges more
            self.assertEqual((nodes, edges), {"small 1x8": (210, 2222), "small 2x8": (370, 3932)}[model])
            self.assertEqual((nodes, edges), hand_count(8, 2, fields.get("n_layer", 1), 27, 1))
        self.assertNotIn("complete default run", out)  # only with --full or --reference

    def test_a_file_with_fewer_documents_than_the_profile_reads(self):
        nodes, edges, ms = bench.step_profile(self.three, {}, docs_n=10)
        # the mean of its 3 documents, not of 10: anna, bob and charlotte read 5, 4 and 10
        # positions (BOS, then their letters) of the default model (E 16, H 4, 1 layer); their
        # 10 letters and BOS make 11 tokens
        counts = [hand_count(16, 4, 1, 11, n) for n in (5, 4, 10)]
        self.assertEqual(counts, [(1922, 35546), (1514, 28277), (4142, 73091)])
        self.assertEqual((nodes, edges), (7578 / 3, 136914 / 3))
        self.assertEqual(set(ms), {"forward", "chain rule", "adam", "free", "sort"})

    def test_block_sizes_print_each_size_and_the_ratio_per_doubling(self):
        out = self.main(self.three, "--block-sizes", "2,4", "--steps", "1")
        rows = re.findall(r"^ +(\d+) +([\d.]+) +([\d.]*) +([\d.]+) +([\d,]+) +([\d.]*) +([\d,]+) +([\d.]*)$",
                          out, re.M)
        self.assertEqual([int(r[0]) for r in rows], [2, 4])
        number = lambda text: float(text.replace(",", ""))
        # every document is at least T positions long, so each step reads T positions
        for (T, ms, _, peak, nodes, _, edges, _), expected in zip(rows, [(734, 13979), (1514, 28277)]):
            self.assertGreater(number(ms), 0)
            self.assertEqual((number(nodes), number(edges)), expected)
            self.assertEqual(expected, hand_count(16, 4, 1, 11, int(T)))
        for column in (1, 4, 6):  # ms/step, nodes, edges: the x beside each is this over the last
            ratio = number(rows[1][column]) / number(rows[0][column])
            close = 0.1 * ratio if column == 1 else 0.006  # ms/step is printed to 0.1 ms
            self.assertAlmostEqual(number(rows[1][column + 1]), ratio, delta=close)

    def test_block_sizes_make_a_file_of_long_lines(self):
        with tempfile.TemporaryDirectory() as folder:
            docs = load_docs(bench.long_lines_file(folder, length=50, count=7))
        self.assertEqual(len(docs), 7)
        self.assertTrue(all(45 <= len(d) <= 50 for d in docs), docs)
        self.assertEqual(len(set(docs)), 7)

    def test_mistakes_get_one_line_and_status_2(self):
        for args in (["no-such-file.txt"], [BUNDLED_NAMES, "--steps", "0"],
                     [BUNDLED_NAMES, "--block-sizes", "16,x"], [BUNDLED_NAMES, "--block-sizes", "0"],
                     [BUNDLED_NAMES, "--reference", "--reference-python", "no-such-python"]):
            with self.subTest(args=args):
                assert_one_line_error(self, run("-m", "microgpt", "bench", *args), "error")


class PipeTest(unittest.TestCase):
    def test_a_pipe_is_read_once_and_copied_for_the_timed_runs(self):
        # bench <(cat file): a FIFO that can be read only once, by the first run that opens it
        folder = tempfile.mkdtemp()
        fifo = os.path.join(folder, "names.fifo")
        os.mkfifo(fifo)
        import threading
        def feed():
            with open(fifo, "wb") as f:
                f.write(BUNDLED_NAMES.read_bytes()[:3000])
        writer = threading.Thread(target=feed)
        writer.start()
        result = run("-m", "microgpt", "bench", fifo, "--steps", "2", timeout=300)
        writer.join(10)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f", {fifo}\n", result.stdout)
        self.assertIn("default 1x16", result.stdout)


if __name__ == "__main__":
    unittest.main()
