"""Nothing lost, no traceback: every command run as a learner would, and then
adversarially, as real subprocesses. Output paths are checked before any
work; a diverged run stops at its step and keeps its last good state;
Ctrl-C and SIGTERM (at seeded random steps, and during start-up) save and
exit 130; closed, full or ASCII-only output streams; hand-edited checkpoint
fields; odd data files; models too big for the machine."""
import copy
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.plumbing import checkpoint, corpus as datasets
from microgpt.config import Config
from microgpt.architectures.catalog import start
from microgpt.training import Diverged, train_step
from tests.support import (BUNDLED_NAMES, ROOT, assert_one_line_error, assert_same_run, interrupted_at,
                           numbers, run, steps_of, train)

SEED = 20261124  # the signal steps are drawn from this: a failure can be rerun exactly
TINY = ("--n-embd", "8", "--n-head", "2", "--num-samples", "2")
POSIX = os.name == "posix"


def popen(*args, env=None, **kw):
    """Start `python *args` with microgpt importable, pipes on stdout and stderr."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.Popen([sys.executable, *map(str, args)], cwd=kw.pop("cwd", ROOT), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def no_nan(text):
    """The JSON text, parsed; ValueError if it holds NaN or Infinity (not standard JSON)."""
    def refuse(constant):
        raise ValueError(f"non-standard JSON constant {constant}")
    return json.loads(text, parse_constant=refuse)


class Folder(unittest.TestCase):
    """A fresh folder per class, holding a small copy of the names data."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.folder = Path(cls._tmp.name)
        cls.data = cls.folder / "names.txt"
        cls.data.write_bytes(BUNDLED_NAMES.read_bytes()[:20000])

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()


class OutputPathTest(Folder):
    def test_bad_output_paths_are_refused_before_any_work(self):
        (self.folder / "sub").mkdir()
        (self.folder / "plain").write_text("x", encoding="utf-8")
        before = self.data.read_bytes()
        cases = [
            (["--out", self.folder / "missing" / "m.json"], "--out .*no such folder"),
            (["--out", self.folder / "sub"], "--out .*is a directory"),
            (["--out", self.folder / "plain" / "m.json"], "--out .*plain is not a folder"),
            (["--out", self.data], "--out .*is the data"),
            (["--out", ""], "--out '': an empty file name"),
            (["--out", "x" * 300 + ".json"], "--out .*(too long|File name)"),
            (["--out", "m.json", "--plot", "m.json"], "--plot m.json: is the checkpoint"),
            (["--plot", self.folder / "missing" / "p.svg"], "--plot .*no such folder"),
        ]
        if hasattr(os, "mkfifo"):  # a special file, as /dev/null is (which a failure would replace)
            os.mkfifo(self.folder / "special")
            cases.append((["--out", self.folder / "special"], "--out .*special: is not a regular file"))
        for flags, pattern in cases:
            with self.subTest(flags=flags):
                result = train(self.data, "--steps", "3", *TINY, *flags, cwd=self.folder)
                assert_one_line_error(self, result, pattern)
                self.assertEqual(result.stdout, "")  # refused before the first step
        self.assertEqual(self.data.read_bytes(), before)
        self.assertFalse((self.folder / "m.json").exists())

    def test_inspect_svg_is_checked_first(self):
        result = run("-m", "microgpt", "inspect", "emma", "--train-steps", "2", "--data", self.data,
                     "--svg", self.folder / "sub" / "missing" / "a.svg")
        assert_one_line_error(self, result, "--svg .*no such folder")

    @unittest.skipUnless(hasattr(os, "symlink") and POSIX, "needs symlinks")
    def test_a_symlink_is_followed_and_its_target_replaced(self):
        target, link = self.folder / "target.json", self.folder / "link.json"
        self.assertEqual(train(self.data, "--steps", "3", *TINY, "--out", target).returncode, 0)
        link.symlink_to(target)  # a checkpoint microgpt wrote: one an output may replace
        result = train(self.data, "--steps", "2", *TINY, "--out", link)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(link.is_symlink())
        self.assertEqual(checkpoint.load(target).step, 2)

    @unittest.skipUnless(POSIX, "needs resource limits (Unix)")
    def test_a_write_that_fails_later_keeps_the_old_checkpoint_and_the_samples(self):
        """A file-size limit makes every later write fail, as a full disk would."""
        import resource

        model = self.folder / "kept.json"
        self.assertEqual(train(self.data, "--steps", "3", *TINY, "--out", model).returncode, 0)
        old = model.read_bytes()
        killed = self.folder / ".kept.json.999999999.abcd1234.tmp"  # no process has that id
        killed.write_text("left by a killed save", encoding="utf-8")
        mine = self.folder / "kept.json.20251201.tmp"  # the user's own file
        mine.write_text("a learner's notes", encoding="utf-8")

        def small_files():
            resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process

        proc = popen("-m", "microgpt.train", self.data, "--resume", model, "--steps", "6",
                     "--save-every", "2", "--plot", self.folder / "loss.svg",
                     preexec_fn=small_files)
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 1, err)
        self.assertNotIn("Traceback", err)
        self.assertEqual(len([l for l in err.splitlines() if "not saved to" in l]), 2, err)  # 4, 6
        self.assertIn("loss curve not written", err)
        self.assertEqual(len([l for l in out.splitlines() if l.startswith("sample")]), 2)
        self.assertEqual(model.read_bytes(), old)
        # a save that works removes the temporary a killed one left
        self.assertEqual(train(self.data, "--resume", model, "--steps", "7").returncode, 0)
        self.assertFalse(killed.exists())
        self.assertEqual(sorted(p.name for p in self.folder.glob("kept.json*")),
                         ["kept.json", "kept.json.20251201.tmp"])
        self.assertEqual(mine.read_text(encoding="utf-8"), "a learner's notes")

    @unittest.skipUnless(POSIX, "a lock's process is asked whether it is alive on POSIX only")
    def test_a_second_run_with_the_same_out_is_refused_at_start(self):
        model = self.folder / "busy.json"
        lock = self.folder / "busy.json.lock"
        live = self.folder / f".busy.json.{os.getpid()}.abcd1234.tmp"  # a live run's temporary
        live.write_text("being written", encoding="utf-8")
        first = popen("-m", "microgpt.train", self.data, "--steps", "300", *TINY, "--out", model,
                      "--save-every", "1")
        try:
            deadline = time.time() + 60
            while not lock.exists() and time.time() < deadline:
                time.sleep(0.05)
            for args in (("--out", model, "--steps", "2"), ("--resume", model, "--steps", "400")):
                second = train(self.data, *args, *TINY)
                assert_one_line_error(self, second, r"busy.json: another run \(process \d+\) is "
                                                    r"writing it now")
                self.assertNotIn("saved", second.stderr)
        finally:
            first.send_signal(signal.SIGINT)
            out, err = first.communicate(timeout=60)
        self.assertEqual(first.returncode, 130, err)
        self.assertNotIn("No such file", err)
        self.assertFalse(lock.exists())  # removed at exit
        self.assertTrue(live.exists())   # another process's temporary is never removed
        self.assertEqual(checkpoint.load(model).step, steps_of(out)[-1])
        # a lock whose process is dead (a run killed with SIGKILL) is taken over
        lock.write_text("999999999\n", encoding="utf-8")
        again = train(self.data, "--resume", model, "--steps", str(steps_of(out)[-1] + 1))
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertFalse(lock.exists())


class DivergenceTest(Folder):
    def test_high_learning_rates_give_finite_losses(self):
        for lr, steps in (("0.3", "50"), ("0.5", "20"), ("1", "5")):
            with self.subTest(lr=lr):
                result = train(BUNDLED_NAMES, "--lr", lr, "--steps", steps, "--num-samples", "1")
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(steps_of(result.stdout), list(range(1, int(steps) + 1)))
                self.assertNotIn("nan", result.stdout)

    def test_a_diverged_run_stops_at_its_step_and_keeps_the_last_good_state(self):
        for lr in ("1e300", "1e100"):  # nan losses; and a gradient Adam could not square
            with self.subTest(lr=lr):
                model = self.folder / f"lr{lr}.json"
                result = train(self.data, "--lr", lr, "--steps", "30", *TINY, "--out", model)
                assert_one_line_error(self, result, r"diverged at step (\d+).*smaller --lr", status=3)
                step = int(result.stderr.split("diverged at step ")[1].split()[0])
                self.assertEqual(steps_of(result.stdout), list(range(1, step)))
                self.assertIn(f"{model} holds step {step - 1}", result.stderr)
                self.assertEqual(no_nan(model.read_text(encoding="utf-8"))["step"], step - 1)
                # every command takes what it wrote
                self.assertEqual(run("-m", "microgpt.sample", model).returncode, 0)
                self.assertEqual(run("-m", "microgpt", "inspect", model, "emma").returncode, 0)
                again = train(self.data, "--resume", model)
                self.assertEqual(again.returncode, 3, again.stderr)
                self.assertIn(f"diverged at step {step}", again.stderr.splitlines()[-1])

    def test_a_loss_far_above_a_uniform_guess_names_lr(self):
        result = train(self.data, "--lr", "1e6", "--steps", "20", *TINY)
        notes = [l for l in result.stderr.splitlines() if "far above a uniform guess" in l]
        self.assertEqual(len(notes), 1, result.stderr)  # once, not every step
        self.assertRegex(notes[0], r"^python -m microgpt.train: note: the loss at step \d+ "
                                   r"\([\d.e+]+\) is far above a uniform guess's \(log 2\d = "
                                   r"3\.\d\d\): --lr 1e\+06 is likely too high$")
        quiet = train(self.data, "--steps", "20", *TINY)  # the default rate: no such line
        self.assertNotIn("far above", quiet.stderr)

    def test_a_diverged_run_still_draws_its_plot(self):
        plot = self.folder / "diverged.svg"
        result = train(self.data, "--lr", "1e300", "--steps", "30", *TINY, "--plot", plot)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("wrote the loss curve", result.stderr)
        self.assertIn("<svg", plot.read_text(encoding="utf-8"))

    def test_a_diverged_step_changes_nothing(self):
        examples, state = start(["emma", "olivia", "ava"], Config(n_embd=8, n_head=2, lr=1e300))
        train_step(state, examples)
        before = copy.deepcopy(state)
        with self.assertRaises(Diverged):
            train_step(state, examples)
        assert_same_run(self, state, before)

    def test_a_temperature_next_to_zero_is_greedy(self):
        model = self.folder / "t.json"
        result = train(self.data, "--steps", "3", *TINY, "--temperature", "1e-320", "--out", model)
        self.assertEqual(result.returncode, 0, result.stderr)
        greedy = run("-m", "microgpt.sample", model, "--temperature", "0", "--num-samples", "2")
        tiny = run("-m", "microgpt.sample", model, "--temperature", "1e-320", "--num-samples", "2")
        self.assertEqual(tiny.returncode, 0, tiny.stderr)
        self.assertEqual(tiny.stdout, greedy.stdout)


class SignalTest(Folder):
    def interrupt_after(self, step, sig, *flags):
        """Train, send sig once step `step` is printed; (stdout, stderr, status)."""
        return interrupted_at(step, "-m", "microgpt.train", self.data, "--steps", "500", *TINY, *flags,
                              cwd=ROOT, sig=sig)

    @unittest.skipUnless(POSIX, "needs SIGTERM")
    def test_sigint_and_sigterm_at_random_steps_save_and_resume_exactly(self):
        model = self.folder / "sig.json"
        rng = random.Random(SEED)
        whole = numbers(train(self.data, "--steps", "500", *TINY).stdout)
        for sig in (signal.SIGTERM, signal.SIGINT):
            step = rng.randint(1, 60)
            with self.subTest(signal=sig, step=step):
                out, err, status = self.interrupt_after(step, sig, "--out", model)
                self.assertEqual(status, 130, err)
                self.assertNotIn("Traceback", err)
                saved = checkpoint.load(model).step
                # the step under way is finished, and it is the last one printed (the
                # command may be a step or more past the line read here: a pipe lags)
                self.assertGreaterEqual(saved, step)
                self.assertEqual(steps_of(out)[-1], saved)
                self.assertEqual(err.strip().splitlines()[-1],
                                 f"python -m microgpt.train: interrupted after step {saved}; "
                                 f"saved to {model}")
                resumed = train(self.data, "--resume", model)
                self.assertEqual(resumed.returncode, 0, resumed.stderr)
                head = [l for l in numbers(out) if not l.startswith("step")
                        or int(l.split()[1]) <= saved]
                self.assertEqual(head + numbers(resumed.stdout)[3:], whole)

    @unittest.skipUnless(hasattr(os, "mkfifo"), "needs a FIFO")
    def test_a_signal_while_the_data_loads_exits_130_in_one_line(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(signal=sig):
                fifo = self.folder / f"fifo{sig}"
                os.mkfifo(fifo)
                proc = popen("-m", "microgpt.train", fifo, "--out", self.folder / "never.json")
                writer = os.open(fifo, os.O_WRONLY)  # returns once the command opens it to read
                try:
                    os.write(writer, b"emma\n")
                    proc.send_signal(sig)
                    try:  # the read the command is blocked in ends with the signal...
                        out, err = proc.communicate(timeout=10)
                    except subprocess.TimeoutExpired:
                        # ...unless the signal came a moment before the read began: Python
                        # then runs its handler once the read returns, so end the read. A
                        # command that ignored the signal would now train, and fail below.
                        os.close(writer)
                        writer = None
                        out, err = proc.communicate(timeout=120)
                finally:
                    if writer is not None:
                        os.close(writer)
                    if proc.poll() is None:
                        proc.kill()
                        proc.communicate()
                self.assertEqual(proc.returncode, 130, err)
                self.assertEqual(err.strip(), "interrupted")
                self.assertFalse((self.folder / "never.json").exists())

    def test_a_signal_in_a_long_sample_stops_at_once(self):
        # with no position information and greedy decoding this model never ends its sample
        proc = popen("-m", "microgpt.train", self.data, "--steps", "1", "--block-size", "100000",
                     "--position", "none", "--temperature", "0", "--num-samples", "1", *TINY[:4])
        try:
            for line in proc.stdout:
                if line.startswith("--- inference"):
                    break
            time.sleep(1)  # well into the sample
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 130, err)
        self.assertEqual(err.strip().splitlines()[-1], "interrupted")
        self.assertNotIn("Traceback", err)

    def test_ctrl_c_in_a_long_step_says_at_once_that_it_stops_after_it(self):
        data = self.folder / "long.txt"
        rng = random.Random(SEED)
        data.write_text("".join("".join(rng.choice("abcdefgh") for _ in range(790)) + "\n"
                                for _ in range(3)), encoding="utf-8")
        plot = self.folder / "stopped.svg"
        proc = popen("-m", "microgpt.train", data, "--block-size", "800", "--steps", "3",
                     *TINY[:4], "--plot", plot)
        try:
            while not proc.stdout.readline().startswith("num params"):
                pass
            time.sleep(0.5)  # inside the first step, which takes seconds
            proc.send_signal(signal.SIGINT)
            said = proc.stderr.readline() + proc.stderr.readline()
            still_training = proc.poll() is None
            out, err = proc.communicate(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(said, "\npython -m microgpt.train: stopping after this step (Ctrl-C "
                               "again to stop now)\n")
        self.assertTrue(still_training)  # said at once, not when the step ended
        self.assertEqual(proc.returncode, 130, err)
        self.assertEqual(steps_of(out), [1])  # the step under way was finished, not lost
        self.assertIn("interrupted after step 1", err)
        self.assertIn("<svg", plot.read_text(encoding="utf-8"))  # the curve of what there is

    def test_ctrl_c_twice_after_the_last_step(self):
        proc = popen("-m", "microgpt.train", self.data, "--steps", "5", *TINY[:4],
                     "--num-samples", "100000")
        for line in proc.stdout:
            if line.startswith("sample"):
                proc.send_signal(signal.SIGINT)
                time.sleep(0.05)
                proc.send_signal(signal.SIGINT)
                break
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 130, err)
        self.assertNotIn("Traceback", err)
        self.assertNotIn("step 6", err)
        self.assertLessEqual(len([l for l in err.splitlines() if "interrupted" in l]), 1)

    def test_ctrl_c_in_the_other_commands(self):
        commands = {
            "inspect": ("-m", "microgpt", "inspect", "emma", "--train-steps", "100000", "--data",
                        self.data),
            "gradcheck": ("-m", "microgpt", "gradcheck", "--n-embd", "16", "--n-layer", "2"),
            "bench": ("-m", "microgpt", "bench", self.data, "--steps", "100000"),
            "sample": ("-m", "microgpt.sample", self.folder / "s.json", "--num-samples", "10000000"),
        }
        self.assertEqual(train(self.data, "--steps", "2", *TINY,
                               "--out", self.folder / "s.json").returncode, 0)
        for name, args in commands.items():
            with self.subTest(command=name):
                proc = popen(*args)
                time.sleep(1.5)  # well into its work
                proc.send_signal(signal.SIGINT)
                out, err = proc.communicate(timeout=60)
                self.assertEqual(proc.returncode, 130, err)
                self.assertNotIn("Traceback", err)
                self.assertEqual(err.strip().splitlines()[-1], "interrupted")


class StreamTest(Folder):
    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_a_full_stdout_or_stderr(self):
        with open("/dev/full", "w") as full:
            proc = subprocess.run([sys.executable, "-m", "microgpt.train", self.data, "--steps",
                                   "3", *TINY], stdout=full, stderr=subprocess.PIPE, text=True,
                                  env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertEqual(proc.stderr, "python -m microgpt.train: stdout closed (a closed pipe "
                                          "or a full disk) before the first step ended; nothing "
                                          "was trained\n")
            proc = subprocess.run([sys.executable, "-m", "microgpt.train", self.data, "--steps",
                                   "3", *TINY], stdout=subprocess.PIPE, stderr=full, text=True,
                                  env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT)
            self.assertEqual(proc.returncode, 0)
            self.assertEqual(steps_of(proc.stdout), [1, 2, 3])

    def test_a_closed_pipe_ends_quietly_and_still_saves(self):
        """As in `python -m microgpt.train ... --out m.json | head -3`."""
        model = self.folder / "head.json"
        proc = popen("-m", "microgpt.train", self.data, "--steps", "5000", *TINY, "--out", model)
        head = [proc.stdout.readline() for _ in range(3)]
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
        proc.wait(timeout=60)
        self.assertTrue(head[0].startswith("num docs"))
        self.assertEqual(proc.returncode, 1, err)
        self.assertNotIn("Traceback", err)
        self.assertGreaterEqual(checkpoint.load(model).step, 1)

    def test_characters_the_terminal_cannot_show_are_escaped(self):
        path = self.folder / "accents.txt"
        path.write_text("zoë\nłukasz\nrenée\n", encoding="utf-8")
        proc = popen("-m", "microgpt.train", path, "--steps", "3", *TINY,
                     env={"PYTHONIOENCODING": "ascii"})
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(len([l for l in out.splitlines() if l.startswith("sample")]), 2)


class CheckpointFieldTest(Folder):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = cls.folder / "good.json"
        result = train(cls.data, "--steps", "3", *TINY, "--out", cls.model)
        assert result.returncode == 0, result.stderr
        cls.text = cls.model.read_text(encoding="utf-8")

    def variant(self, change):
        obj = json.loads(self.text)
        change(obj)
        return json.dumps(obj)

    def set(self, *path):
        *keys, value = path

        def change(obj):
            for key in keys[:-1]:
                obj = obj[key]
            obj[keys[-1]] = value
        return self.variant(change)

    def bad_checkpoints(self):
        first = repr(json.loads(self.text)["params"]["wte"][0][0])
        return {
            "weight 1e400": self.text.replace(first, "1e400", 1),
            "weight a huge integer": self.text.replace(first, "1" + "0" * 400, 1),
            "weight of 5000 digits": self.text.replace(first, "1" + "0" * 5000, 1),
            "rng word negative": self.set("rng", "state", 0, -1),
            "rng word 2**64": self.set("rng", "state", 0, 2 ** 64),
            "nested 200,000 deep": "[" * 200000 + "]" * 200000,
            "data name with NUL": self.set("data", "name", "a\0b"),
            "data name of 5000 characters": self.set("data", "name", "x" * 5000),
            "n_head 2.0": self.set("config", "n_head", 2.0),
            "block_size 16.0": self.set("config", "block_size", 16.0),
            "steps 10.5": self.set("config", "steps", 10.5),
            "beta1 1.5": self.set("config", "beta1", 1.5),
            "beta2 -0.1": self.set("config", "beta2", -0.1),
            "eps 0": self.set("config", "eps", 0.0),
            "adam v negative": self.set("adam", "v", 0, -1.0),
            "vocabulary lone surrogate": self.text.replace('"a"', '"\\ud800"', 1),
            "seed as text": self.set("config", "seed", "42"),
            "n_layer 10**7": self.set("config", "n_layer", 10 ** 7),
            "loss NaN": self.text.replace('"losses": [', '"losses": [NaN, ', 1),
            "sha256 not hex": self.set("data", "sha256", "xyz"),
            "version 0": self.set("version", 0),
        }

    def test_every_bad_field_is_one_line_in_every_command(self):
        commands = {"sample": ("-m", "microgpt.sample"), "inspect": ("-m", "microgpt", "inspect"),
                    "train": ("-m", "microgpt.train", self.data, "--resume")}
        for i, (what, text) in enumerate(self.bad_checkpoints().items()):
            path = self.folder / f"bad{i}.json"
            path.write_text(text, encoding="utf-8")
            with self.subTest(field=what):  # every field in-process, each command on a few
                with self.assertRaises(checkpoint.CheckpointError):
                    checkpoint.load(path)
            name = list(commands)[i % 3]
            args = (*commands[name], path) + (("emma",) if name == "inspect" else ())
            with self.subTest(field=what, command=name):
                assert_one_line_error(self, run(*args), "not a (valid )?checkpoint")

    def test_a_checkpoint_says_what_is_wrong_with_the_file_not_how_to_tune_python(self):
        first = repr(json.loads(self.text)["params"]["wte"][0][0])
        long_number = self.folder / "digits.json"
        long_number.write_text(self.text.replace(first, "1" * 5001, 1), encoding="utf-8")
        result = run("-m", "microgpt.sample", long_number)
        assert_one_line_error(self, result, r"digits.json: not a checkpoint: a number of 5,001 "
                                            r"digits \(no field holds more than \d+\)$")
        # an editor's byte-order mark is not JSON's business: the checkpoint loads as it was
        bom = self.folder / "bom.json"
        bom.write_bytes(b"\xef\xbb\xbf" + self.model.read_bytes())
        with_bom = run("-m", "microgpt.sample", bom, "--num-samples", "3")
        self.assertEqual(with_bom.returncode, 0, with_bom.stderr)
        self.assertEqual(with_bom.stdout, run("-m", "microgpt.sample", self.model,
                                              "--num-samples", "3").stdout)

    def test_a_checkpoint_that_loads_but_cannot_go_on_is_one_line(self):
        """Edited by hand so that it still loads, and sample reads it: resuming
        must still end in one line, not in a traceback or a run out of memory."""
        vocab = json.loads(self.text)["vocab"]
        cases = {
            "a vocabulary without 'z'": (self.set("vocab", len(vocab) - 1, "~"),
                                         "the data has characters not in the vocabulary: 'z'"),
            "batches of 10**12": (self.set("config", "batch_size", 10 ** 12),
                                  "this model needs about"),
        }
        for i, (what, (text, message)) in enumerate(cases.items()):
            path = self.folder / f"edited{i}.json"
            path.write_text(text, encoding="utf-8")
            with self.subTest(what):
                checkpoint.load(path)  # it loads
                assert_one_line_error(self, train(self.data, "--resume", path, "--steps", "5"),
                                      message)

    def test_a_finished_run_says_so_and_more_steps_extend_it(self):
        assert_one_line_error(self, train(self.data, "--resume", self.model),
                              r"finished \(3 steps\).*--steps N with N above 3")
        longer = self.folder / "longer.json"
        longer.write_text(self.text, encoding="utf-8")
        result = train(self.data, "--resume", longer, "--steps", "5")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(steps_of(result.stdout), [4, 5])
        self.assertEqual(checkpoint.load(longer).config.steps, 5)


class DataTest(Folder):
    def test_resume_finds_the_data_by_the_path_it_was_given(self):
        sub = self.folder / "sub"
        sub.mkdir()
        (sub / "mine.txt").write_bytes(self.data.read_bytes()[:3000])
        first = train("sub/mine.txt", "--steps", "2", *TINY, "--out", "m.json", cwd=self.folder)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(checkpoint.load(self.folder / "m.json").data_name, "sub/mine.txt")
        again = train("--resume", "m.json", "--steps", "3", cwd=self.folder)  # no data named
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(steps_of(again.stdout), [3])
        elsewhere = train("--resume", "../m.json", "--steps", "4", cwd=sub)
        assert_one_line_error(self, elsewhere, r"sub/mine.txt: no such file .*give it: "
                                               r"python -m microgpt.train FILE --resume \.\./m.json")
        # a bundled dataset given by a path is found from any folder by its name
        bundled = train("data/names.txt", "--steps", "1", *TINY, "--out", self.folder / "b.json",
                        cwd=ROOT)
        self.assertEqual(bundled.returncode, 0, bundled.stderr)
        resumed = train("--resume", "../b.json", "--steps", "2", cwd=sub)  # no data/ here
        self.assertEqual(resumed.returncode, 0, resumed.stderr)

    def test_a_run_on_the_bundled_names_resumes_beside_another_names_txt(self):
        """The README asks learners to put the reference names.txt in their folder."""
        empty = self.folder / "nothing_here"
        empty.mkdir()
        model = self.folder / "bundled.json"
        first = train("names.txt", "--steps", "2", *TINY, "--out", model, cwd=empty)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("names.txt not found here; using the bundled", first.stderr)
        # self.folder holds a names.txt of its own, not the bundled one
        again = train("--resume", model, "--steps", "3", cwd=self.folder)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("names.txt here is not the run's data; using the bundled", again.stderr)
        self.assertEqual(steps_of(again.stdout), [3])
        named = train("names.txt", "--resume", model, "--steps", "4", cwd=self.folder)
        assert_one_line_error(self, named, r"names.txt is not the data file .*bundled.json was "
                                           r"trained on: it trained on the bundled names.txt "
                                           r"\(.*names.txt\); give that path, or no data file")
        sampled = run("-m", "microgpt.sample", model, "--num-samples", "3", cwd=self.folder)
        self.assertEqual(sampled.returncode, 0, sampled.stderr)
        self.assertRegex(sampled.stdout, r"  \((new|in training data)\)\n")  # the data was found
        marked = run("-m", "microgpt.sample", model, "--num-samples", "3", "--data", "names.txt",
                     cwd=empty)  # --data falls back to the bundled file too
        self.assertEqual(marked.returncode, 0, marked.stderr)
        self.assertRegex(marked.stdout, r"  \((new|in training data)\)\n")

    @unittest.skipUnless(hasattr(os, "mkfifo"), "needs a FIFO")
    def test_a_fifo_is_read_once_and_checksummed(self):
        fifo, model = self.folder / "pipe", self.folder / "fifo.json"
        os.mkfifo(fifo)
        raw = self.data.read_bytes()
        writer = threading.Thread(target=lambda: Path(fifo).write_bytes(raw), daemon=True)
        writer.start()
        result = train(fifo, "--steps", "2", *TINY, "--out", model)
        if writer.is_alive():  # the command never opened the FIFO: open it here, or the writer waits forever
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(timeout=10)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(checkpoint.load(model).data_sha256, hashlib.sha256(raw).hexdigest())
        self.assertEqual(train(self.data, "--resume", model, "--steps", "3").returncode, 0)

    def test_a_byte_order_mark_is_not_a_character(self):
        bom = self.folder / "bom.txt"
        bom.write_bytes(b"\xef\xbb\xbf" + self.data.read_bytes())
        with_bom, without = (numbers(train(p, "--steps", "3", *TINY).stdout) for p in (bom, self.data))
        self.assertEqual(with_bom, without)

    def test_every_kind_of_line_end_ends_a_document(self):
        """As the reference's open() reads a file: universal newlines."""
        for end in ("\n", "\r\n", "\r"):
            with self.subTest(end=repr(end)):
                path = self.folder / "ends.txt"
                path.write_bytes(end.join(["emma", "olivia", "ava", ""]).encode("utf-8"))
                self.assertEqual(datasets.load_docs(path), ["emma", "olivia", "ava"])
                result = train(path, "--steps", "1", *TINY)
                self.assertIn("num docs: 3\n", result.stdout)

    def test_control_characters_reach_the_terminal_escaped(self):
        controls = "\x1b\x07\x00\x85\u2028"
        path = self.folder / "controls.txt"
        path.write_text("".join(f"a{c}b{c}\n" for c in controls) * 20, encoding="utf-8")
        # hot: every character turns up in the samples
        result = train(path, "--steps", "5", *TINY[:4], "--temperature", "50", "--num-samples", "40")
        self.assertEqual(result.returncode, 0, result.stderr)
        for c in controls:
            self.assertNotIn(c, result.stdout + result.stderr)
        for shown in ("\\x1b", "\\x07", "\\x00", "\\x85", "\\u2028"):
            self.assertIn(shown, result.stdout)
        named = train(self.folder / "x\x1b[2J.txt", "--steps", "1")  # a name that clears the screen
        assert_one_line_error(self, named, r"x\\x1b\[2J\.txt: no such file")

    def test_names_no_file_can_have(self):
        assert_one_line_error(self, train("", "--steps", "1"), "'': an empty file name")
        assert_one_line_error(self, train("x" * 300, "--steps", "1"), "cannot read|too long")
        assert_one_line_error(self, run("-m", "microgpt", "bench", self.folder), "is a directory")
        with self.assertRaisesRegex(datasets.DataError, "NUL"):
            datasets.load_docs("names\0.txt")


class EndlessFileTest(Folder):
    """Every file a command reads comes through one reader, which stops at
    the largest file this machine could use (a checkpoint: the largest model)."""

    def test_a_checkpoint_larger_than_any_model_here_is_refused_by_its_size(self):
        huge = self.folder / "huge.json"
        with open(huge, "wb") as f:
            f.truncate(100 << 30)  # a sparse 100 GB: refused before a byte is read
        for args in (("-m", "microgpt.sample", huge), ("-m", "microgpt", "inspect", huge, "emma"),
                     ("-m", "microgpt.train", "--resume", huge)):
            with self.subTest(args=args[1]):
                assert_one_line_error(self, run(*args, timeout=60),
                                      r"huge.json: larger than [\d.]+ [kMGT]B, more than this "
                                      r"machine can use as a checkpoint")

    @unittest.skipUnless(hasattr(os, "mkfifo") and sys.implementation.name == "cpython",
                         "needs a FIFO and CPython's small address space")
    def test_a_pipe_that_never_ends_stops_at_the_limit(self):
        import resource

        fifo = self.folder / "endless"
        os.mkfifo(fifo)
        for args in (("-m", "microgpt.sample", fifo), ("-m", "microgpt.train", fifo)):
            with self.subTest(args=args[1]):
                writer = subprocess.Popen(f"yes > {fifo}", shell=True, stderr=subprocess.DEVNULL)
                proc = popen(*args, preexec_fn=lambda: resource.setrlimit(  # a 1 GB machine
                    resource.RLIMIT_AS, (1 << 30, 1 << 30)))
                out, err = proc.communicate(timeout=120)
                writer.kill()
                writer.wait()
                self.assertEqual(proc.returncode, 2, err)
                self.assertRegex(err, r"^python -m microgpt\.\w+: error: .*endless: larger than "
                                      r"[\d.]+ MB.*\(a pipe that never ends\?\)\n$")


class SizeTest(unittest.TestCase):
    def test_a_model_too_big_for_this_machine_is_refused_with_its_estimate(self):
        for flags in (["--n-embd", "100000", "--n-head", "1"], ["--n-layer", "10000000"],
                      ["--block-size", "1000000000000"]):
            with self.subTest(flags=flags):
                assert_one_line_error(self, train(BUNDLED_NAMES, *flags),
                                      r"needs about [\d.]+ [TP]B of memory .* parameters")

    def test_a_gradient_check_that_would_take_forever(self):
        assert_one_line_error(self, run("-m", "microgpt", "gradcheck", "--n-embd", "64",
                                        "--n-layer", "4"), r"would take about [\d.]+ hours")


if __name__ == "__main__":
    unittest.main()
