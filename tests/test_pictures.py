"""Pictures that scale and say what they are: heatmaps in a grid (row = layer,
column = head) read back from the SVG against the trace, the colour scale,
captions that fit (estimated here, and measured by a browser), masks drawn
only where they exist, invisible tokens made visible, terminal heatmaps whose
columns line up for BPE labels, round ticks, line charts whose coinciding
curves stay apart, compare --delta against running means computed here, and
two checkpoints inspected side by side."""
import json
import math
import random
import re
import sys
import tempfile
import unicodedata
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.commands.compare import compare
from microgpt.config import Config
from microgpt.plumbing import svg, terminal
from microgpt.plumbing.corpus import load_docs
from microgpt.plumbing.drawing import nice_ticks, text_width
from microgpt.positions import sinusoidal
from microgpt.instruments.readout import trace, trace_whole
from microgpt.architectures.catalog import start
from microgpt.training import train_step
from tests import browser
from tests.support import BUNDLED_NAMES, assert_one_line_error, run, train

NS = "{http://www.w3.org/2000/svg}"
DOCS = load_docs(BUNDLED_NAMES)


def tiny(steps=3, docs=DOCS, **settings):
    settings = {"n_embd": 12, "n_head": 3, "n_layer": 2, "steps": steps, **settings}
    examples, state = start(docs, Config(**settings))
    while state.step < steps:
        train_step(state, examples)
    return state


def parse(picture):
    return ET.fromstring(picture)


def cells(root):
    """(x, y, side, fill, value or None) of every heatmap cell."""
    out = []
    for r in root.iter(NS + "rect"):
        if r.get("class") == "cell":
            title = r.find(NS + "title")
            out.append((float(r.get("x")), float(r.get("y")), float(r.get("width")), r.get("fill"),
                        None if title is None else float(title.text)))
    return out


def runs(values, side):
    """Sorted distinct values split into runs of consecutive cells (a gap
    wider than a cell starts a new run): the panels' columns, or rows."""
    values = sorted(set(values))
    groups = [[values[0]]]
    for v in values[1:]:
        if v - groups[-1][-1] > side + 1e-6:
            groups.append([])
        groups[-1].append(v)
    return groups


def texts(root):
    return [(t, "".join(t.itertext())) for t in root.iter(NS + "text")]


def legend_colours(root):
    """The colour bar's two ends: ((r, g, b) at its low end, at its high end)."""
    stops = [s.get("stop-color") for s in root.iter(NS + "stop")]
    return [tuple(int(v) for v in re.findall(r"\d+", c)) for c in stops[:2]]


def blend(colours, f):
    """The colour a fraction f along the colour bar: the straight line between its ends."""
    lo, hi = colours
    return "rgb({},{},{})".format(*(round(a + (b - a) * f) for a, b in zip(lo, hi)))


def columns_of(line):
    """Terminal display width, by the Unicode tables (a wide character: two)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF"
               else 1 for c in line)


class HeatmapGridTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.state = tiny()
        cls.positions = trace(cls.state.params, cls.state.config, cls.state.tokenizer, "emma")
        cls.picture = svg.trace_heatmaps(cls.positions, title="a model reading 'emma'")
        cls.root = parse(cls.picture)

    def test_every_cell_is_the_traced_weight_at_its_layer_head_row_and_column(self):
        n_layer, n_head, T = 2, 3, 5
        found = cells(self.root)
        side = found[0][2]
        self.assertEqual(len(found), n_layer * n_head * T * T)
        cols = runs([c[0] for c in found], side)   # one run of T columns per head
        rows = runs([c[1] for c in found], side)   # one run of T rows per layer
        self.assertEqual([len(g) for g in cols], [T] * n_head)
        self.assertEqual([len(g) for g in rows], [T] * n_layer)
        colours = legend_colours(self.root)
        ticks = [float(t) for e, t in texts(self.root) if e.get("font-size") == "10"]
        lo, hi = min(ticks), max(ticks)          # the scale the legend shows: 0.0 .. 1.0
        self.assertEqual((lo, hi), (0.0, 1.0))
        for x, y, _, fill, value in found:
            head = next(h for h, g in enumerate(cols) if x in g)
            layer = next(l for l, g in enumerate(rows) if y in g)
            j, i = cols[head].index(x), rows[layer].index(y)
            weights = self.positions[i].layers[layer][head].attn_weights
            with self.subTest(layer=layer, head=head, i=i, j=j):
                if j > i:  # the future: masked, grey, no value
                    self.assertEqual((fill, value), ("#e8e8e8", None))
                else:
                    self.assertEqual(value, round(weights[j], 4))
                    self.assertEqual(fill, blend(colours, (weights[j] - lo) / (hi - lo)))

    def test_each_panel_is_captioned_with_its_layer_and_head_above_it(self):
        found = cells(self.root)
        side = found[0][2]
        cols, rows = runs([c[0] for c in found], side), runs([c[1] for c in found], side)
        captions = {t: (float(e.get("x")), float(e.get("y"))) for e, t in texts(self.root)
                    if t.startswith("layer ")}
        for layer, ys in enumerate(rows):
            for head, xs in enumerate(cols):
                x, y = captions[f"layer {layer}, head {head}"]
                self.assertLess(y, ys[0])                                  # above its cells
                self.assertTrue(layer == 0 or y > rows[layer - 1][-1] + side)  # below the row above
                self.assertLessEqual(x, xs[0])                             # over its panel,
                self.assertTrue(head == 0 or x > cols[head - 1][-1] + side)  # right of the last

    def test_it_scales_and_says_what_it_is(self):
        root = self.root
        width, height = float(root.get("width")), float(root.get("height"))
        self.assertEqual(root.get("viewBox"), f"0 0 {root.get('width')} {root.get('height')}")
        self.assertIn("max-width:100%", root.get("style"))
        self.assertLess(width, 1000)  # 2 layers x 3 heads of 5 tokens: not one long row
        words = [t for _, t in texts(root)]
        self.assertIn("a model reading 'emma'", words)
        self.assertIn("attention weight", words)
        self.assertIn("masked: the future (causal mask)", words)
        for element, content in texts(root):  # a loose estimate of its own: 0.55 em a character
            if element.get("transform") or element.get("text-anchor"):
                continue
            with self.subTest(text=content):
                self.assertLessEqual(float(element.get("x")) + 0.55 * float(element.get("font-size"))
                                     * len(content), width)

    def test_a_long_caption_is_wrapped_to_its_panel(self):
        caption = "cross-attention: Q from the decoder, K and V from the encoder's output"
        picture = svg.grids([(caption, [[0.5, 0.5]] * 2, ["a", "b"], ["c", "d"], None)])
        lines = [t for e, t in texts(parse(picture)) if e.get("font-size") == "12"]
        self.assertGreater(len(lines), 1)
        self.assertEqual(" ".join(lines), caption)
        self.assertIn(f"<title>{caption.replace(chr(39), '&#x27;')}</title>", picture)

    def test_long_texts_shrink_the_cells_and_many_heads_wrap_into_rows(self):
        rng = random.Random(0)
        T = 40
        matrix = [[rng.random() for _ in range(T)] for _ in range(T)]
        picture = svg.heatmaps([(f"head {h}", matrix) for h in range(8)], [str(i) for i in range(T)],
                               columns=4)
        root = parse(picture)
        found = cells(root)
        side = found[0][2]
        self.assertLessEqual(side, 8)
        self.assertEqual(len(runs([c[0] for c in found], side)), 4)   # 4 panels a row
        self.assertEqual(len(runs([c[1] for c in found], side)), 2)   # 2 rows
        self.assertLess(float(root.get("width")), 1500)
        self.assertFalse([t for _, t in texts(root) if re.fullmatch(r"0\.\d\d", t)])  # no room: tooltips

    def test_any_matrix_draws_as_it_is_on_its_own_scale(self):
        # the cosine similarity of sinusoidal positional encodings: no mask, its own min..max
        pe = [sinusoidal(p, 16) for p in range(8)]
        norm = lambda v: math.sqrt(sum(x * x for x in v))
        sim = [[sum(a * b for a, b in zip(u, v)) / (norm(u) * norm(v)) for v in pe] for u in pe]
        picture = svg.heatmaps([("PE similarity", sim)], [str(p) for p in range(8)], scale=None,
                               measure="cosine similarity", note="rows and columns: positions")
        root = parse(picture)
        found = cells(root)
        self.assertEqual(len(found), 64)
        self.assertNotIn("#e8e8e8", picture)              # nothing was masked: nothing is grey
        self.assertNotIn("masked", picture)
        lo, hi = min(min(r) for r in sim), max(max(r) for r in sim)
        colours = legend_colours(root)
        for x, y, side, fill, value in found:
            i, j = round((y - found[0][1]) / side), round((x - found[0][0]) / side)
            self.assertEqual(value, round(sim[i][j], 4))
            self.assertEqual(fill, blend(colours, (sim[i][j] - lo) / (hi - lo)))
        ticks = [float(t) for e, t in texts(root) if e.get("font-size") == "10"]  # the bar's
        self.assertTrue(lo - 1e-9 <= min(ticks) and max(ticks) <= hi + 1e-9, (lo, ticks, hi))
        self.assertGreater(max(ticks) - min(ticks), 0.5 * (hi - lo))

    def test_a_whole_sequence_model_greys_only_its_pad_keys(self):
        state = tiny(causal_mask=False, pad_to=8, n_layer=1, n_head=2)
        positions = trace_whole(state.params, state.config, state.tokenizer, "ava")
        labels = [p.token for p in positions]
        self.assertEqual(labels[-1], "PAD")
        found = cells(parse(svg.trace_heatmaps(positions)))
        side = found[0][2]
        for head_cols in runs([c[0] for c in found], side):
            for x, y, _, fill, value in (c for c in found if c[0] in head_cols):
                self.assertEqual(fill == "#e8e8e8", labels[head_cols.index(x)] == "PAD")
        self.assertIn("masked: PAD (padding mask)", svg.trace_heatmaps(positions))
        whole = tiny(causal_mask=False, n_layer=1, n_head=2)  # no padding: no grey at all
        picture = svg.trace_heatmaps(trace_whole(whole.params, whole.config, whole.tokenizer, "ava"))
        self.assertNotIn("#e8e8e8", picture)

    def test_invisible_characters_are_drawn(self):
        picture = svg.heatmaps([("x", [[1.0, 0.0, 0.0]] * 3)], [" ", "\n", "\t"])
        words = [t for _, t in texts(parse(picture))]
        for sign in ("\u2423", "\u21b5", "\u21e5"):
            self.assertEqual(words.count(sign), 2)   # a row label and a column label


class TerminalColumnsTest(unittest.TestCase):
    def test_bpe_labels_keep_every_row_as_wide_and_every_column_in_place(self):
        labels = ["BOS", "Chol", "era", " due", " to", "\n", "\u75c5\u6c17", "cholecystitis"]
        T = len(labels)
        matrix = [[1.0 / (i + 1) if j <= i else 0.0 for j in range(T)] for i in range(T)]
        shades = terminal.heatmap_text(matrix, labels)
        self.assertEqual({columns_of(line) for line in shades[:T + 1]}, {columns_of(shades[0])})
        lines = terminal.heatmap_text(matrix, labels, numbers=True)
        grid, legend = lines[:T + 1], lines[T + 1:]
        self.assertEqual({columns_of(line) for line in grid}, {columns_of(grid[0])})
        def ends(row):  # the display column at which each number of a row ends
            return [columns_of(row[:m.end()]) for m in re.finditer(r"\d\.\d\d", row)]
        last = ends(grid[-1])
        self.assertEqual(len(last), T)
        for i, row in enumerate(grid[1:]):   # row i: its numbers in the last row's columns
            self.assertEqual(ends(row), last[:i + 1], row)
        self.assertIn("\u2423due", grid[0])   # a space token, drawn
        self.assertIn("\u21b5", grid[0])      # a newline token
        self.assertEqual(legend, ["(cut to fit: cholec\u2026 is cholecystitis)"])

    def test_inspect_on_a_bpe_model_lines_up(self):
        folder = Path(tempfile.mkdtemp())
        data = folder / "notes.txt"
        data.write_text("Cholera due to Vibrio cholerae\nTyphoid fever\nCholera, unspecified\n" * 30)
        model = folder / "bpe.json"
        self.assertEqual(train(data, "--tokenizer", "bpe", "--vocab-size", "60", "--n-embd", "8",
                               "--n-head", "2", "--block-size", "24", "--steps", "2",
                               "--out", model).returncode, 0)
        result = run("-m", "microgpt", "inspect", model, "Cholera due to", cwd=folder)
        self.assertEqual(result.returncode, 0, result.stderr)
        block = result.stdout.split("layer 0, head 0")[1].split("\n\n")[0].splitlines()[1:]
        self.assertGreater(len(block), 3)
        self.assertEqual(len({columns_of(line) for line in block}), 1, block)
        self.assertIn("\u2423", block[0])  # the space tokens, drawn


class TicksAndChartsTest(unittest.TestCase):
    def test_nice_ticks_by_hand(self):
        # span / 5 -> the nearest of 1, 2, 5 x 10^k -> its multiples inside the span
        self.assertEqual(nice_ticks(0, 0.37), [0.0, 0.1, 0.2, 0.3])        # 0.074 -> 0.1
        self.assertEqual(nice_ticks(-3, 7), [-2.0, 0.0, 2.0, 4.0, 6.0])     # 2 -> 2
        self.assertEqual(nice_ticks(1, 1000), [200.0, 400.0, 600.0, 800.0, 1000.0])  # 199.8 -> 200
        self.assertEqual(nice_ticks(2.05, 2.41), [2.1, 2.2, 2.3, 2.4])     # 0.072 -> 0.1
        self.assertEqual(nice_ticks(0.5, 0.5), [0.5])

    def test_a_chart_s_ticks_are_round_and_its_x_axis_is_titled(self):
        series = {"a": ("#333", [2.31 + 0.01 * i for i in range(107)])}
        root = parse(svg.line_chart(series, "t", x_title="gap", y_title="accuracy"))
        words = [(e, t) for e, t in texts(root)]
        ys = [float(t) for e, t in words if e.get("text-anchor") == "end"]
        steps = {round(b - a, 9) for a, b in zip(ys, ys[1:])}
        self.assertEqual(steps, {0.2})
        self.assertEqual(ys, [2.4, 2.6, 2.8, 3.0, 3.2, 3.4])  # 2.31..3.37, 3% more each side
        xs = [int(t) for e, t in words if e.get("text-anchor") == "middle" and t.isdigit()]
        self.assertEqual(xs, [20, 40, 60, 80, 100])
        self.assertIn("gap", [t for _, t in words])
        self.assertIn("accuracy", [t for _, t in words])

    def test_coinciding_curves_stay_apart(self):
        ys = [3.0 - 0.01 * i for i in range(60)]
        series = {name: (colour, ys) for name, colour in (("a", "#333"), ("b", "#c33"), ("c", "#36c"))}
        root = parse(svg.line_chart(series, "same curve three times", styles=True))
        dashes = [p.get("stroke-dasharray") for p in root.iter(NS + "polyline")]
        self.assertEqual(len(set(dashes)), 3)
        kinds = {}  # each series' marker shapes, by its colour
        for tag in ("circle", "rect", "polygon"):
            for e in root.iter(NS + tag):
                kinds.setdefault(e.get("fill"), set()).add(tag)
        self.assertEqual([kinds[c] for c in ("#333", "#c33", "#36c")],
                         [{"circle"}, {"rect"}, {"polygon"}])
        markers = [(e.get("cx"), e.get("cy")) for e in root.iter(NS + "circle")]
        self.assertGreater(len(markers), 3)


def chart_values(chart):
    """Each polyline of one chart (a nested <svg>) as y values, read back
    through the chart's own tick labels: {stroke: [values]}."""
    ticks = [(float(e.get("y")) - 4, float(t)) for e, t in texts(chart)
             if e.get("text-anchor") == "end" and re.fullmatch(r"-?\d+(\.\d+)?", t)]
    (y0, v0), (y1, v1) = ticks[0], ticks[-1]
    value = lambda y: v0 + (y - y0) * (v1 - v0) / (y1 - y0)
    return {p.get("stroke"): [value(float(pt.split(",")[1])) for pt in p.get("points").split()]
            for p in chart.iter(NS + "polyline")}


class CompareDeltaTest(unittest.TestCase):
    def test_delta_is_each_running_mean_minus_the_baseline_s(self):
        base = {"n_embd": 8, "n_head": 2, "steps": 70}
        runs_ = {"baseline": Config(**base), "lr": Config(**base, lr=0.03),
                 "same": Config(**base)}
        result = compare(DOCS, runs_, num_samples=0)
        root = parse(result.chart(delta=True))
        curves, delta = root.findall(NS + "svg")
        def mean(xs, window=50):  # written out here: the mean of the last `window` values
            return [sum(xs[max(0, i - window + 1):i + 1]) / len(xs[max(0, i - window + 1):i + 1])
                    for i in range(len(xs))]
        means = {r.name: mean(r.losses) for r in result}
        colour = {"baseline": "#333", "lr": "#c33", "same": "#36c"}
        drawn, spread = chart_values(delta), max(abs(a - b) for a, b in zip(means["lr"], means["baseline"]))
        for name in runs_:
            want = [a - b for a, b in zip(means[name], means["baseline"])]
            got = drawn[colour[name]]
            self.assertEqual(len(got), 70)
            for a, b in zip(got, want):
                self.assertAlmostEqual(a, b, delta=0.01 * spread)
        for a, b in zip(chart_values(curves)["#c33"], means["lr"]):
            self.assertAlmostEqual(a, b, delta=0.01)
        self.assertIn("baseline (zero)", "".join(t for _, t in texts(delta)))

    def test_delta_mistakes_are_one_line(self):
        for args, pattern in ((("--delta",), "--delta .* give both"),
                              (("--delta", "--svg", "x.svg"), "give both"),
                              (("--delta", "--variant", "g: --activation gelu"), "give both")):
            with self.subTest(args=args):
                assert_one_line_error(self, run("-m", "microgpt", "compare", BUNDLED_NAMES, "--steps", "2",
                                                *args, cwd=tempfile.mkdtemp()), pattern)


class TwoCheckpointsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = Path(tempfile.mkdtemp())
        for name, flags in (("a.json", ()), ("b.json", ("--n-layer", "2", "--n-head", "2"))):
            result = train(BUNDLED_NAMES, "--steps", "3", "--n-embd", "8", *flags,
                           "--num-samples", "1", "--out", cls.folder / name)
            assert result.returncode == 0, result.stderr

    def inspect(self, *args):
        return run("-m", "microgpt", "inspect", *args, cwd=self.folder)

    def test_both_models_are_drawn_each_titled(self):
        result = self.inspect("a.json", "b.json", "emma", "--svg", "two.svg")
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout
        self.assertIn("a.json (step 3): reading 'emma'", out)
        self.assertIn("b.json (step 3): reading 'emma'", out)
        b = out.split("b.json (step 3)")[1]
        self.assertEqual(out.split("b.json (step 3)")[0].count("logit spread"), 4)  # a: 1 x 4 heads
        self.assertEqual(b.count("logit spread"), 4)                                # b: 2 x 2
        root = parse((self.folder / "two.svg").read_text())
        words = [t for _, t in texts(root)]
        self.assertIn("a.json (step 3), --n-embd 8: reading 'emma'", words)
        self.assertIn("b.json (step 3), --n-embd 8 --n-head 2 --n-layer 2: reading 'emma'", words)
        pictures = root.findall(NS + "svg")
        self.assertEqual([len(cells(p)) for p in pictures], [4 * 25, 4 * 25])
        self.assertLess(float(pictures[0].get("x")) + float(pictures[0].get("width")),
                        float(pictures[1].get("x")) + 1)  # side by side, a left of b
        self.assertEqual(pictures[0].get("y"), None)        # tops aligned
        self.assertEqual(pictures[1].get("y"), None)

    def test_layer_and_head_choose_in_each_model(self):
        out = self.inspect("a.json", "b.json", "emma", "--head", "1").stdout
        a, b = out.split("b.json (step 3)")
        self.assertEqual(a.count("logit spread"), 1)                                # a: head 1
        self.assertEqual(b.count("logit spread"), 2)                                # b: 2 layers
        assert_one_line_error(self, self.inspect("a.json", "b.json", "emma", "--head", "3"),
                              "--head 3: b.json .* has 2 heads")

    def test_both_must_read_the_text(self):
        data = self.folder / "upper.txt"
        data.write_text("EMMA\nAVA\n" * 20)
        self.assertEqual(train(data, "--steps", "1", "--out", self.folder / "upper.json").returncode, 0)
        assert_one_line_error(self, self.inspect("a.json", "upper.json", "emma"),
                              "upper.json cannot read 'emma'")
        assert_one_line_error(self, self.inspect("a.json", "missing.json", "emma"), "no such file")
        assert_one_line_error(self, self.inspect("a.json", "b.json", "emma", "--train-steps", "2"),
                              "not both")


@browser.needs_chromium
class RenderedTest(unittest.TestCase):
    """Chromium draws the pictures: every text inside the picture, none over another."""

    def measure(self, picture):
        folder = Path(tempfile.mkdtemp())
        page = folder / "page.html"
        page.write_text("<!doctype html><html><body style='margin:0'>" + picture + """
<pre id="check"></pre><script>
const svg = document.querySelector("svg"), box = svg.getBoundingClientRect();
const scale = svg.viewBox.baseVal.width / box.width;
const rects = [...svg.querySelectorAll("text")].map(t => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, size: +t.getAttribute("font-size"),
          x0: (r.left - box.left) * scale, x1: (r.right - box.left) * scale,
          y0: (r.top - box.top) * scale, y1: (r.bottom - box.top) * scale,
          width: t.getComputedTextLength()};
});
document.getElementById("check").textContent = JSON.stringify(
  {width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height, rects: rects});
</script></body></html>""", encoding="utf-8")
        dom, log = browser.dump_dom(page)
        self.assertEqual(browser.console_errors(log), [])
        found = re.search(r'<pre id="check">(.*?)</pre>', dom, re.S).group(1)
        return json.loads(found.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
                          .replace("&amp;", "&"))

    def check(self, picture):
        m = self.measure(picture)
        rects = [r for r in m["rects"] if r["text"]]
        for r in rects:
            with self.subTest(text=r["text"]):
                self.assertGreaterEqual(r["x0"], -0.5)
                self.assertLessEqual(r["x1"], m["width"] + 0.5)
                self.assertLessEqual(r["y1"], m["height"] + 0.5)
                self.assertLessEqual(r["width"], text_width(r["text"], r["size"]) + 0.5)  # estimate errs wide
        overlaps = [(a["text"], b["text"]) for k, a in enumerate(rects) for b in rects[k + 1:]
                    if min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 1
                    and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > 1]
        self.assertEqual(overlaps, [])

    def test_heatmaps_and_charts_keep_their_text_inside_and_apart(self):
        state = tiny(n_head=2, block_size=32)
        positions = trace(state.params, state.config, state.tokenizer, "christopher")
        self.check(svg.trace_heatmaps(positions, title="a long title naming the model and its "
                                                       "flags --n-head 2 --block-size 32: reading "
                                                       "'christopher'"))
        self.check(svg.grids([("cross-attention, layer 0, head 1: Q from the decoder, K and V "
                               "from the encoder", [[0.5] * 3] * 2, ["BOS", "\u2423the"],
                               ["BOS", "cholecystitis", "x"], None)]))
        ys = [3.0 - 0.01 * i for i in range(80)]
        self.check(svg.line_chart({"baseline": ("#333", ys), "a longer variant name": ("#c33", ys)},
                                  "training loss", x_title="step", y_title="loss", styles=True))

    def test_a_screenshot_of_the_grid_is_drawn(self):
        state = tiny()
        positions = trace(state.params, state.config, state.tokenizer, "emma")
        folder = Path(tempfile.mkdtemp())
        (folder / "grid.svg").write_text(svg.trace_heatmaps(positions, title="emma"))
        log = browser.screenshot(folder / "grid.svg", folder / "grid.png", 800, 600)
        self.assertEqual(browser.console_errors(log), [])
        share, colours = browser.drawn_share(folder / "grid.png")
        self.assertGreater(share, 0.05)
        self.assertGreater(colours, 10)


if __name__ == "__main__":
    unittest.main()
