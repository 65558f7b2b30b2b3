"""The benchmark command: it runs, prints every figure it promises, and turns
user mistakes into one-line errors. (It measures speed; no test asserts one.)"""
import re
import unittest

from tests.support import BUNDLED_NAMES, assert_one_line_error, run


class BenchTest(unittest.TestCase):
    def test_prints_ms_per_step_memory_and_graph_size_for_both_models(self):
        result = run("-m", "microgpt.bench", BUNDLED_NAMES, "--steps", "2")
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout
        for model in ("default 1x16", "deep 4x64"):
            self.assertRegex(out, rf"{model} +2 +[\d.]+ +[\d.]+\n")           # ms/step, peak MB
            # nodes, edges; forward, chain rule, Adam, free, (sort)
            self.assertRegex(out, rf"{model} +[\d,]+ +[\d,]+( +[\d.-]+){{5}}\n")
        nodes = re.search(r"default 1x16 +([\d,]+) +[\d,]+ +[\d.]", out).group(1)
        self.assertGreater(int(nodes.replace(",", "")), 1000)  # fused, but still scalars
        self.assertNotIn("complete default run", out)  # only with --full or --reference

    def test_mistakes_get_one_line_and_status_2(self):
        for args in (["no-such-file.txt"], [BUNDLED_NAMES, "--steps", "0"],
                     [BUNDLED_NAMES, "--reference", "--reference-python", "no-such-python"]):
            with self.subTest(args=args):
                assert_one_line_error(self, run("-m", "microgpt.bench", *args), "error")


if __name__ == "__main__":
    unittest.main()
