"""Headless Chromium for the page tests: load a page, read its DOM, take a
screenshot, tell a blank picture from a drawn one. Tests skip without the
browser (Debian's `chromium`); the library never uses any of this."""
import json
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
import zlib
from pathlib import Path
from urllib.parse import quote

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = unittest.skipUnless(CHROMIUM, "needs chromium (apt-get install chromium)")
CONSOLE_ERROR = re.compile(r"CONSOLE.*(Uncaught|Error)|:ERROR:CONSOLE")


def chromium(*args, timeout=120):
    """Run headless Chromium (its own throwaway profile, no network use);
    (stdout, stderr)."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--enable-logging=stderr",
             "--v=0", f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=timeout)
    return result.stdout, result.stderr


def console_errors(stderr):
    """The lines of Chromium's log that report a JavaScript error."""
    return [line for line in stderr.splitlines() if CONSOLE_ERROR.search(line)]


def dump_dom(path, fragment=""):
    """(the DOM after the page's scripts ran, Chromium's log) of a local file."""
    url = Path(path).resolve().as_uri() + fragment
    return chromium("--virtual-time-budget=20000", "--dump-dom", url)


def check(path, ask):
    """A page's answer to its #check=<JSON> hook (the text of <pre id="check">), and the log."""
    dom, log = dump_dom(path, "#check=" + quote(json.dumps(ask)))
    m = re.search(r'<pre id="check">(.*?)</pre>', dom, re.S)
    if not m or not m.group(1):
        raise AssertionError("the page wrote no answer; Chromium said:\n" + log[-2000:])
    text = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return json.loads(text), log


def screenshot(path, png, width=1400, height=1000):
    """Chromium's picture of a local file, written to png; Chromium's log."""
    _, log = chromium(f"--window-size={width},{height}", "--virtual-time-budget=5000",
                      f"--screenshot={png}", Path(path).resolve().as_uri())
    return log


def png_pixels(png):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG, decoded here."""
    data = Path(png).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour in (2, 6), f"PNG depth {depth} colour type {colour}"
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):  # the PNG filters: none, sub, up, average, Paeth
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(0, width, 4)])  # every 4th
        prev = line
    return width, height, rows


def drawn_share(png):
    """The share of (sampled) pixels that are not the picture's most common colour,
    and how many colours there are: a blank page gives (0.0, 1)."""
    _, _, rows = png_pixels(png)
    counts = {}
    for row in rows[::4]:
        for px in row:
            counts[px] = counts.get(px, 0) + 1
    total = sum(counts.values())
    return 1 - max(counts.values()) / total, len(counts)
