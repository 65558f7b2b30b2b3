"""Objects in a notebook: a trace draws every head (and is still the list it
was), a run shows one line and its loss curve, the parameter table becomes an
HTML table, a comparison its table and curves; once the extension is loaded,
IPython's formatters (a stand-in, and IPython's own where it is installed)
draw each object as its picture and leave anything else to its text;
examples/tour.ipynb runs top to bottom (nbclient + ipykernel) and is saved
without outputs."""
import importlib.util
import json
import re
import sys
import types
import unittest
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.commands.compare import Comparison, compare
from microgpt.config import Config
from microgpt.instruments.matrices import param_table
from microgpt.params import param_shapes
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

    def test_once_loaded_ipython_draws_each_object_as_its_picture(self):
        formatters = {"fake": lambda: {"image/svg+xml": TypeFormatter(), "text/html": TypeFormatter()}}
        if importlib.util.find_spec("IPython"):  # and IPython's own, where it is installed
            from IPython.core.formatters import HTMLFormatter, SVGFormatter
            formatters["IPython"] = lambda: {"image/svg+xml": SVGFormatter(), "text/html": HTMLFormatter()}
        state = tiny(steps=3)
        positions = trace(state.params, state.config, state.tokenizer, "emma")
        table = param_table(state.config)
        for kind, make in formatters.items():
            with self.subTest(formatters=kind):
                mime = make()
                svg, html = mime["image/svg+xml"], mime["text/html"]
                shell = types.SimpleNamespace(display_formatter=types.SimpleNamespace(formatters=mime))
                notebook.load_ipython_extension(shell)  # what %load_ext microgpt.plumbing.notebook runs
                # a trace: a picture of its heads' attention over its tokens, and no HTML
                picture = svg(positions)
                self.assertEqual(ET.fromstring(picture).tag, "{http://www.w3.org/2000/svg}svg")
                self.assertIn("attention while reading &#x27;emma&#x27;", picture)
                self.assertEqual(len(re.findall(r"<title>[\d.]+</title>", picture)), 4 * 15)
                self.assertIsNone(html(positions))
                # a run: its line, escaped, over its loss curve; no SVG of its own
                page = html(state)
                self.assertTrue(page.startswith(f"<p><code>{escape(repr(state))}</code></p><svg"), page)
                self.assertEqual(len(re.search(r'<polyline points="([^"]*)"', page).group(1).split()), 3)
                self.assertIsNone(svg(state))
                # the parameter table: a row per matrix, a head and the total
                page = html(table)
                self.assertEqual(len(re.findall(r"<tr>", page)), 1 + len(param_shapes(state.config)) + 1)
                self.assertIn("<td style=\"text-align:left\">layer1.mlp_fc2</td>", page)
                self.assertIsNone(svg(table))
                # anything else is left to its text: a plain list of the same positions, a str
                for other in (list(positions), str(table), state.losses):
                    self.assertIsNone(svg(other))
                    self.assertIsNone(html(other))


class TypeFormatter:
    """What an IPython formatter does with for_type_by_name: a function per
    (module, class name), found for an object through its class's bases;
    None (show the text) for an object of any other type."""

    def __init__(self):
        self.functions = {}

    def for_type_by_name(self, module, name, function):
        self.functions[module, name] = function

    def __call__(self, obj):
        for cls in type(obj).__mro__:
            if (cls.__module__, cls.__name__) in self.functions:
                return self.functions[cls.__module__, cls.__name__](obj)
        return None


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
