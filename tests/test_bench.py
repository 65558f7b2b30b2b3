"""The benchmark command: it runs, prints every figure it promises, its graph
sizes agree with a count made here, and user mistakes are one-line errors.
(It measures speed; no test asserts one.) The models are shrunk so the whole
file takes a few seconds."""
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
from microgpt.config import Config
from microgpt.plumbing.corpus import load_docs
from microgpt.model import document_loss
from microgpt.architectures.catalog import start
from microgpt.value import recording
from tests.support import BUNDLED_NAMES, assert_one_line_error, run

TINY = {"small 1x8": {"n_embd": 8, "n_head": 2, "block_size": 4},
        "small 2x8": {"n_layer": 2, "n_embd": 8, "n_head": 2, "block_size": 4}}


def graph_size(path, fields, docs_n):
    """Mean nodes and edges of the first docs_n documents' graphs, counted here."""
    examples, state = start(load_docs(path), Config(**fields))
    sizes = []
    for ids in examples[:docs_n]:
        with recording() as tape:
            document_loss(ids, state.params, state.config)
        sizes.append((len(tape), sum(len(n._children) for n in tape)))
    return (sum(n for n, _ in sizes) / len(sizes), sum(e for _, e in sizes) / len(sizes))


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
            nodes, edges = (float(x.replace(",", "")) for x in row.groups()[:2])
            expected = graph_size(BUNDLED_NAMES, fields, 10)
            self.assertAlmostEqual(nodes, expected[0], delta=0.5)
            self.assertAlmostEqual(edges, expected[1], delta=0.5)
        self.assertNotIn("complete default run", out)  # only with --full or --reference

    def test_a_file_with_fewer_documents_than_the_profile_reads(self):
        nodes, edges, ms = bench.step_profile(self.three, {}, docs_n=10)
        self.assertEqual((nodes, edges), graph_size(self.three, {}, 3))
        self.assertEqual(set(ms), {"forward", "chain rule", "adam", "free", "sort"})

    def test_block_sizes_print_each_size_and_the_ratio_per_doubling(self):
        out = self.main(self.three, "--block-sizes", "2,4", "--steps", "1")
        rows = re.findall(r"^ +(\d+) +([\d.]+) +([\d.]*) +([\d.]+) +([\d,]+) +([\d.]*) +([\d,]+) +([\d.]*)$",
                          out, re.M)
        self.assertEqual([int(r[0]) for r in rows], [2, 4])
        number = lambda text: float(text.replace(",", ""))
        for (T, ms, _, peak, nodes, _, edges, _), expected in zip(
                rows, [graph_size(self.three, {"block_size": T}, 3) for T in (2, 4)]):
            self.assertGreater(number(ms), 0)
            self.assertEqual((number(nodes), number(edges)), expected)
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
