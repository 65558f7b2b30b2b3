"""An output flag replaces only a file microgpt wrote, of the kind it writes
(a checkpoint, a web page, an SVG picture, recall documents), that the user
may write; anything else is refused in one line naming a free name, before
any work, and left as it was. A device, a pipe or the command's own stdout
is never an output. The library's saves keep the same rule."""
import os
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import BUNDLED_NAMES, ROOT, assert_one_line_error, run

TINY = ("--steps", "2", "--n-embd", "8", "--n-head", "2", "--num-samples", "1")


class OutputsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.folder = Path(cls._tmp.name)
        (cls.folder / "names.txt").write_bytes(BUNDLED_NAMES.read_bytes()[:2000])
        (cls.folder / "others.txt").write_bytes(BUNDLED_NAMES.read_bytes()[2000:4000])
        made = run("-m", "microgpt.train", "names.txt", *TINY, "--out", "m.json", cwd=cls.folder)
        assert made.returncode == 0, made.stderr

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def kept(self, name, args, pattern):
        """args refused in one line naming pattern, and the file `name` as it was."""
        path = self.folder / name
        before = path.read_bytes()
        assert_one_line_error(self, run(*args, cwd=self.folder), pattern)
        self.assertEqual(path.read_bytes(), before)

    def test_a_file_microgpt_did_not_write_is_kept(self):
        (self.folder / "keep.txt").write_text("my notes\n", encoding="utf-8")
        for args, name in (
                (("-m", "microgpt.train", "names.txt", *TINY, "--out", "keep.txt"), "keep.txt"),
                (("-m", "microgpt.train", "names.txt", *TINY, "--plot", "keep.txt"), "keep.txt"),
                (("-m", "microgpt", "explore", "m.json", "--html", "names.txt"), "names.txt"),
                (("-m", "microgpt", "book", "--html", "keep.txt"), "keep.txt"),
                (("-m", "microgpt", "classify", "names.txt", "others.txt", "--steps", "2",
                  "--out", "keep.txt"), "keep.txt"),
                (("-m", "microgpt", "longrange", "--write", "keep.txt"), "keep.txt"),
                (("-m", "microgpt", "explore", "m.json", "--html", "m2.json"), "m2.json"),
                (("-m", "microgpt.train", "names.txt", *TINY, "--plot", "m2.json"), "m2.json")):
            (self.folder / "m2.json").write_bytes((self.folder / "m.json").read_bytes())
            with self.subTest(args=args[1:]):
                self.kept(name, args, rf"{name}: exists and is not .* microgpt wrote; give a "
                                      rf"name no file has yet, such as {name.replace('.', '-1.')}")

    def test_a_read_only_file_is_kept_even_one_microgpt_wrote(self):
        path = self.folder / "locked.json"
        path.write_bytes((self.folder / "m.json").read_bytes())
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        try:
            for args in (("-m", "microgpt.train", "names.txt", *TINY, "--out", "locked.json"),
                         ("-m", "microgpt.train", "--resume", "locked.json", "--steps", "4")):
                with self.subTest(args=args[1:]):
                    self.kept("locked.json", args, r"locked.json: is read-only; give a name no file "
                                                   r"has yet, such as locked-1.json")
        finally:
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)

    def test_what_microgpt_wrote_is_replaced(self):
        for args in (("-m", "microgpt.train", "names.txt", *TINY, "--out", "again.json",
                      "--plot", "again.svg"),
                     ("-m", "microgpt", "explore", "m.json", "--html", "again.html"),
                     ("-m", "microgpt", "longrange", "--write", "again.txt", "--count", "3")):
            for _ in range(2):
                with self.subTest(args=args[1:]):
                    result = run(*args, cwd=self.folder)
                    self.assertEqual(result.returncode, 0, result.stderr)
        (self.folder / "empty.json").write_bytes(b"")  # an empty file holds nothing to lose
        result = run("-m", "microgpt.train", "names.txt", *TINY, "--out", "empty.json", cwd=self.folder)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_stdout_is_never_an_output(self):
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
        command = [sys.executable, "-m", "microgpt.train", "names.txt", *TINY]
        for out in ("/dev/stdout", "/dev/stderr", "log.txt"):
            log = self.folder / "log.txt"
            with self.subTest(out=out, stdout="a file"), open(log, "w") as f:
                result = subprocess.run(command + ["--out", out], cwd=self.folder, env=env,
                                        stdout=f, stderr=subprocess.PIPE, text=True)
                assert_one_line_error(self, result, r"own output goes|is not a regular file")
                self.assertEqual(log.read_text(), "")
            with self.subTest(out=out, stdout="a pipe"):
                if out != "log.txt":
                    result = subprocess.run(command + ["--out", out], cwd=self.folder, env=env,
                                            capture_output=True, text=True)
                    assert_one_line_error(self, result, r"is not a regular file|own output")
                    self.assertEqual(result.stdout, "")

    def test_the_library_keeps_the_users_files_too(self):
        from microgpt.plumbing import checkpoint, files
        state = checkpoint.load(self.folder / "m.json")
        notes = self.folder / "notes.txt"
        notes.write_text("my notes\n", encoding="utf-8")
        with self.assertRaisesRegex(OSError, "notes.txt exists and is not a checkpoint microgpt"):
            checkpoint.save(state, notes)
        with self.assertRaisesRegex(OSError, "notes.txt exists and is not an SVG picture"):
            files.write_atomically(notes, '<svg xmlns="http://www.w3.org/2000/svg" width="1" '
                                          'height="1" viewBox="0 0 1 1"></svg>')
        self.assertEqual(notes.read_text(encoding="utf-8"), "my notes\n")
        self.assertEqual(sorted(p.name for p in self.folder.iterdir() if p.name.startswith(".")), [])


if __name__ == "__main__":
    unittest.main()
