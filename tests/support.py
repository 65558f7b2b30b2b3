"""Shared test helpers: paths, running a command, reading its numbers."""
import dataclasses
import functools
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
NAMES = SHARED / "data" / "names.txt"            # the 32,033 names: tests only, never copied
GOLDEN = SHARED / "golden" / "names_default.txt"
BUNDLED_NAMES = ROOT / "data" / "names.txt"
NAIVE = ROOT / "examples" / "naive_gpt.py"


def run(*args, cwd=ROOT, timeout=600, input=None):
    """Run `python *args` with microgpt importable; return the CompletedProcess."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, env=env, timeout=timeout,
                          capture_output=True, text=True, input=input)


def train(*args, **kw):
    return run("-m", "microgpt.train", *args, **kw)


@functools.lru_cache(maxsize=None)
def help_of(command):
    """`python -m microgpt COMMAND --help`, run once for all the tests that read it."""
    return run("-m", "microgpt", command, "--help")


def numbers(text):
    """The lines that carry the run's figures: header counts, losses, samples."""
    keep = re.compile(r"^(num docs|vocab size|num params|step +\d+ / +\d+ \| loss|sample +\d+:)")
    return [line for line in text.splitlines() if keep.match(line)]


def steps_of(stdout):
    """The step numbers a run printed, in order."""
    return [int(line.split()[1]) for line in stdout.splitlines() if line.startswith("step ")]


def assert_one_line_error(test, result, pattern, status=2):
    """A user mistake's answer: exit status `status`, one line on stderr
    matching pattern, no traceback."""
    test.assertEqual(result.returncode, status, result.stderr)
    test.assertNotIn("Traceback", result.stderr)
    test.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
    test.assertRegex(result.stderr, pattern)


def resumed_and_whole(docs, config, folder, steps=6):
    """(a run trained steps // 2 steps, saved, loaded and trained on to steps;
    the same run trained straight through): a resume must change nothing."""
    from microgpt.plumbing import checkpoint
    from microgpt.architectures.catalog import start
    from microgpt.training import train_step
    examples, whole = start(docs, config)
    for _ in range(steps):
        train_step(whole, examples)
    examples, state = start(docs, config)
    for _ in range(steps // 2):
        train_step(state, examples)
    checkpoint.save(state, folder / "m.json")
    state = checkpoint.load(folder / "m.json")
    for _ in range(steps - steps // 2):
        train_step(state, examples)
    return state, whole


RUN_FIELDS = ("config", "tokenizer", "params", "rng", "step", "m", "v", "losses", "data_name",
              "data_sha256", "classes", "loss", "init_name", "init_sha256")


def assert_same_run(test, a, b):
    """Two RunStates alike in every field, each compared as itself: every
    setting, the tokenizer, every weight's float, Adam's moments, the steps,
    the losses, the random generator's state, the data's name and checksum,
    the class names, the loss trained, the checkpoint it started from. (Not their checkpoints' JSON, which
    would pass over whatever the checkpoint leaves out.)"""
    test.assertEqual(type(a), type(b))
    test.assertEqual(tuple(f.name for f in dataclasses.fields(a)), RUN_FIELDS)  # a new field: add it
    test.assertEqual(type(a.config), type(b.config))
    for f in dataclasses.fields(a.config):
        test.assertEqual(getattr(a.config, f.name), getattr(b.config, f.name), f"config.{f.name}")
    test.assertEqual(type(a.tokenizer), type(b.tokenizer))
    for name in ("chars", "tokens", "bos", "vocab_size"):
        test.assertEqual(getattr(a.tokenizer, name), getattr(b.tokenizer, name), f"tokenizer.{name}")
    test.assertEqual(getattr(a.tokenizer, "merges", None), getattr(b.tokenizer, "merges", None))
    test.assertEqual(list(a.params), list(b.params))  # the same matrices, in the same order
    for name in a.params:
        test.assertEqual([[p.data for p in row] for row in a.params[name]],
                         [[p.data for p in row] for row in b.params[name]], name)
    for name in ("step", "m", "v", "losses", "data_name", "data_sha256", "classes", "init_name",
                 "init_sha256"):
        test.assertEqual(getattr(a, name), getattr(b, name), name)
    test.assertEqual(a.rng.getstate(), b.rng.getstate(), "the random generator")
    test.assertIs(a.loss, b.loss)


def interrupted(command, args, cwd, step):
    """Run `python -m microgpt COMMAND *args`, send it SIGINT once it prints
    step `step`; return (all it printed on stdout, its stderr, its status)."""
    return interrupted_at(step, "-m", "microgpt", command, *args, cwd=cwd)


def interrupted_at(step, *args, cwd, sig=signal.SIGINT):
    """Run `python *args` with microgpt importable, send it sig once it prints
    step `step`; return (all it printed on stdout, its stderr, its status)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    with subprocess.Popen([sys.executable, *map(str, args)], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:  # its pipes closed at the end
        first = []
        for line in proc.stdout:
            first.append(line)
            if line.startswith(f"step {step:4d} /"):
                proc.send_signal(sig)
                break
        rest, err = rest_of(proc, timeout=600)  # with what the loop above read ahead
    return "".join(first) + rest, err, proc.returncode


def rest_of(proc, timeout):
    """(the rest of proc's stdout, its whole stderr) once it ends. Not
    communicate(): it reads the pipes' descriptors, so the lines a `for line
    in proc.stdout` loop read ahead into the file's buffer would be lost
    (the line after the one waited for, when both came in one read). Both
    pipes are closed once read."""
    got = {}
    def read(name):
        got[name] = getattr(proc, name).read()
    readers = [threading.Thread(target=read, args=(name,)) for name in ("stdout", "stderr")]
    for reader in readers:
        reader.start()
    try:
        proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
        for reader in readers:
            reader.join()
        proc.stdout.close()  # read to the end: closed now, not by the garbage collector
        proc.stderr.close()
    return got["stdout"], got["stderr"]
