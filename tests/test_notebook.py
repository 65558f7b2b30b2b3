"""Objects in a notebook: a trace draws every head (and is still the list it
was), a run shows one line and its loss curve, the parameter table becomes an
HTML table, a comparison its table and curves; IPython is told which is
which; examples/tour.ipynb runs top to bottom (nbclient + ipykernel) and is
saved without outputs."""
import importlib
import importlib.util
import json
import re
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.commands.compare import Comparison, compare
from microgpt.config import Config
from microgpt.params import param_shapes, param_table
from microgpt.plumbing import notebook
from microgpt.plumbing.corpus import load_docs
from microgpt.instruments.readout import Trace, trace
from microgpt.architectures.catalog import start
from microgpt.training import train_step
from tests.support import ROOT

DOCS = load_docs("names.txt")[:200]
TOUR = ROOT / "examples" / "tour.ipynb"


def tiny(steps=5, **settings):
    examples, state = start(DOCS, Config(n_embd=8, n_head=2, n_layer=2, steps=steps, **settings))
    while state.step < steps:
        train_step(state, examples)
    return state


class PicturesTest(unittest.TestCase):
    def test_a_trace_is_still_a_list_and_draws_every_head(self):
        state = tiny()
        positions = trace(state.params, state.config, state.tokenizer, "emma")
        self.assertIsInstance(positions, list)
        self.assertIsInstance(positions, Trace)
        self.assertEqual(positions[1].token, "e")
        self.assertEqual(positions.tokens, ["<BOS>", "e", "m", "m", "a"])
        picture = notebook.trace_svg(positions)
        self.assertEqual(re.findall(r">(layer \d, head \d)<", picture),
                         ["layer 0, head 0", "layer 0, head 1", "layer 1, head 0", "layer 1, head 1"])
        shown = [float(w) for w in re.findall(r"<title>([\d.]+)</title>", picture)]
        want = [round(w, 4) for l in range(2) for h in range(2)
                for p in positions for w in p.layers[l][h].attn_weights]
        self.assertEqual(shown, want)  # 15 cells per head (the lower triangle), in order

    def test_a_run_is_one_line_and_a_loss_curve(self):
        state = tiny(steps=3)
        line = repr(state)
        self.assertEqual(len(line.splitlines()), 1)
        mean = sum(state.losses) / 3
        self.assertEqual(line, f"RunState(step 3 of 3, loss {mean:.4f} (mean of the last 3), "
                               f"2,080 parameters, char tokenizer of 26 tokens)")  # 200 names: no x
        self.assertIn("<svg", notebook.run_html(state))
        self.assertNotIn("<svg", notebook.run_html(tiny(steps=1)))  # one point is no curve

    def test_the_parameter_table_is_an_html_table_of_the_same_rows(self):
        config = Config()
        table = param_table(config)
        self.assertIsInstance(table, str)
        html = notebook.param_table_html(table)
        rows = re.findall(r"<tr>(.*?)</tr>", html)
        self.assertEqual(len(rows), 1 + len(param_shapes(config)) + 1)
        self.assertIn('<td style="text-align:left">layer0.mlp_fc1</td><td style="text-align:left">'
                      '64 x 16</td><td style="text-align:right">1024</td>', html)
        self.assertIn('<td style="text-align:right">4192</td>', rows[-1])

    def test_a_comparison_prints_its_table_and_draws_its_curves(self):
        result = compare(DOCS, {"baseline": Config(n_embd=8, steps=3),
                                "gelu": Config(n_embd=8, steps=3, activation="gelu")})
        self.assertIsInstance(result, Comparison)
        self.assertEqual([r.name for r in result], ["baseline", "gelu"])
        self.assertRegex(repr(result).splitlines()[1], r"^baseline +\d+ +\d\.\d{4} ")
        self.assertEqual(len(result[0].samples), 3)
        self.assertIn("<svg", result._repr_html_())

    def test_ipython_is_told_which_function_draws_which_type(self):
        calls = []

        class Formatter:
            def __init__(self, mime):
                self.mime = mime

            def for_type_by_name(self, module, name, function):
                calls.append((self.mime, module, name, function))

        class Shell:
            display_formatter = type("F", (), {"formatters": {m: Formatter(m) for m in
                                                              ("image/svg+xml", "text/html")}})

        notebook.register(Shell())
        self.assertEqual({(m, mod, n) for m, mod, n, _ in calls},
                         {("image/svg+xml", "microgpt.instruments.readout", "Trace"),
                          ("text/html", "microgpt.training", "RunState"),
                          ("text/html", "microgpt.params", "ParamTable")})
        for _, module, name, function in calls:
            self.assertEqual(getattr(importlib.import_module(module), name).__name__, name)
            self.assertTrue(callable(function))


HAVE_JUPYTER = all(importlib.util.find_spec(m) for m in ("nbclient", "nbformat", "ipykernel"))


class TourTest(unittest.TestCase):
    def test_the_tour_is_saved_without_outputs(self):
        nb = json.loads(TOUR.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        self.assertGreater(len(code), 5)
        for cell in code:
            self.assertEqual(cell["outputs"], [])
            self.assertIsNone(cell["execution_count"])

    @unittest.skipUnless(HAVE_JUPYTER, "needs nbclient and ipykernel (pip install nbclient ipykernel)")
    def test_the_tour_runs_top_to_bottom(self):
        import nbformat
        from nbclient import NotebookClient
        nb = nbformat.read(str(TOUR), as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(TOUR.parent)}}).execute()
        kinds = []
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                self.assertNotEqual(out["output_type"], "error", out)
                kinds += list(out.get("data", {}))
        self.assertIn("image/svg+xml", kinds)   # the trace's heatmaps
        self.assertGreaterEqual(kinds.count("text/html"), 3)  # the run, the table, the comparison


if __name__ == "__main__":
    unittest.main()
