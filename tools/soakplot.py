"""A PNG line chart with the standard library only (zlib and struct), for tools/soak: panels of
series over time, each with its axes, grid, tick labels and title in a 5x7 bitmap font. No
dependency to install, so that anyone can run the soak on a bare Debian."""
import struct
import zlib

# 5x7 glyphs, one string of 7 rows of 5 columns each ('#' set). Upper case only: text is
# upper-cased before drawing.
FONT = {
    " ": "....." "....." "....." "....." "....." "....." ".....",
    "0": ".###." "#...#" "#..##" "#.#.#" "##..#" "#...#" ".###.",
    "1": "..#.." ".##.." "..#.." "..#.." "..#.." "..#.." ".###.",
    "2": ".###." "#...#" "....#" "...#." "..#.." ".#..." "#####",
    "3": "####." "....#" "....#" ".###." "....#" "....#" "####.",
    "4": "...#." "..##." ".#.#." "#..#." "#####" "...#." "...#.",
    "5": "#####" "#...." "####." "....#" "....#" "#...#" ".###.",
    "6": "..##." ".#..." "#...." "####." "#...#" "#...#" ".###.",
    "7": "#####" "....#" "...#." "..#.." ".#..." ".#..." ".#...",
    "8": ".###." "#...#" "#...#" ".###." "#...#" "#...#" ".###.",
    "9": ".###." "#...#" "#...#" ".####" "....#" "...#." ".##..",
    ".": "....." "....." "....." "....." "....." ".##.." ".##..",
    ",": "....." "....." "....." "....." ".##.." "..#.." ".#...",
    ":": "....." ".##.." ".##.." "....." ".##.." ".##.." ".....",
    "(": "...#." "..#.." ".#..." ".#..." ".#..." "..#.." "...#.",
    ")": ".#..." "..#.." "...#." "...#." "...#." "..#.." ".#...",
    "-": "....." "....." "....." ".###." "....." "....." ".....",
    "+": "....." "..#.." "..#.." "#####" "..#.." "..#.." ".....",
    "/": "....#" "....#" "...#." "..#.." ".#..." "#...." "#....",
    "%": "##..#" "##..#" "...#." "..#.." ".#..." "#..##" "#..##",
    "=": "....." "....." "#####" "....." "#####" "....." ".....",
    "A": ".###." "#...#" "#...#" "#####" "#...#" "#...#" "#...#",
    "B": "####." "#...#" "#...#" "####." "#...#" "#...#" "####.",
    "C": ".###." "#...#" "#...." "#...." "#...." "#...#" ".###.",
    "D": "####." "#...#" "#...#" "#...#" "#...#" "#...#" "####.",
    "E": "#####" "#...." "#...." "####." "#...." "#...." "#####",
    "F": "#####" "#...." "#...." "####." "#...." "#...." "#....",
    "G": ".###." "#...#" "#...." "#.###" "#...#" "#...#" ".####",
    "H": "#...#" "#...#" "#...#" "#####" "#...#" "#...#" "#...#",
    "I": ".###." "..#.." "..#.." "..#.." "..#.." "..#.." ".###.",
    "J": "..###" "...#." "...#." "...#." "...#." "#..#." ".##..",
    "K": "#...#" "#..#." "#.#.." "##..." "#.#.." "#..#." "#...#",
    "L": "#...." "#...." "#...." "#...." "#...." "#...." "#####",
    "M": "#...#" "##.##" "#.#.#" "#.#.#" "#...#" "#...#" "#...#",
    "N": "#...#" "#...#" "##..#" "#.#.#" "#..##" "#...#" "#...#",
    "O": ".###." "#...#" "#...#" "#...#" "#...#" "#...#" ".###.",
    "P": "####." "#...#" "#...#" "####." "#...." "#...." "#....",
    "Q": ".###." "#...#" "#...#" "#...#" "#.#.#" "#..#." ".##.#",
    "R": "####." "#...#" "#...#" "####." "#.#.." "#..#." "#...#",
    "S": ".####" "#...." "#...." ".###." "....#" "....#" "####.",
    "T": "#####" "..#.." "..#.." "..#.." "..#.." "..#.." "..#..",
    "U": "#...#" "#...#" "#...#" "#...#" "#...#" "#...#" ".###.",
    "V": "#...#" "#...#" "#...#" "#...#" "#...#" ".#.#." "..#..",
    "W": "#...#" "#...#" "#...#" "#.#.#" "#.#.#" "#.#.#" ".#.#.",
    "X": "#...#" "#...#" ".#.#." "..#.." ".#.#." "#...#" "#...#",
    "Y": "#...#" "#...#" ".#.#." "..#.." "..#.." "..#.." "..#..",
    "Z": "#####" "....#" "...#." "..#.." ".#..." "#...." "#####",
}

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
GRID = (225, 225, 225)
COLOURS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189)]


class Canvas:
    def __init__(self, width, height):
        self.w, self.h = width, height
        self.px = bytearray(WHITE * (width * height))

    def set(self, x, y, c):
        if 0 <= x < self.w and 0 <= y < self.h:
            i = (y * self.w + x) * 3
            self.px[i:i + 3] = bytes(c)

    def rect(self, x0, y0, x1, y1, c):
        for y in range(max(0, y0), min(self.h, y1 + 1)):
            for x in range(max(0, x0), min(self.w, x1 + 1)):
                self.set(x, y, c)

    def line(self, x0, y0, x1, y1, c, width=1):
        # Bresenham, thickened by a square pen
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        r = width // 2
        while True:
            self.rect(x0 - r, y0 - r, x0 + r, y0 + r, c)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def text(self, x, y, s, c=BLACK, scale=2):
        for ch in s.upper():
            glyph = FONT.get(ch, FONT[" "])
            for row in range(7):
                for col in range(5):
                    if glyph[row * 5 + col] == "#":
                        self.rect(x + col * scale, y + row * scale, x + col * scale + scale - 1,
                                  y + row * scale + scale - 1, c)
            x += 6 * scale

    def png(self):
        raw = b"".join(b"\0" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3])
                       for y in range(self.h))

        def chunk(kind, data):
            c = kind + data
            return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0,
                                                                  0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def nice_step(span, ticks=5):
    """A round step (1, 2 or 5 times a power of ten) that cuts [span] into about [ticks]."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    p = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1.0
    while p > raw:
        p /= 10
    for m in (1, 2, 5, 10):
        if p * m >= raw:
            return p * m
    return p * 10


def label(v):
    return ("%d" % v) if abs(v - round(v)) < 1e-9 else ("%.1f" % v)


def panel(cv, box, xs, series, title, x_title, y_min=None):
    """Draws [series] ([(name, [y...])]) against [xs] in [box] = (left, top, right, bottom)."""
    left, top, right, bottom = box
    ys = [y for _, s in series for y in s]
    lo = min(ys) if ys else 0.0
    hi = max(ys) if ys else 1.0
    if y_min is not None:
        lo = min(lo, y_min)
    if hi - lo < 1e-9:
        hi = lo + 1
    step = nice_step(hi - lo)
    lo = step * int(lo // step)
    hi = step * (int(hi // step) + 1)
    x_lo = min(0.0, xs[0]) if xs else 0.0
    x_hi = xs[-1] if xs and xs[-1] > x_lo else x_lo + 1.0
    xstep = nice_step(x_hi - x_lo, 6)

    def px(x):
        return left + int((x - x_lo) / (x_hi - x_lo) * (right - left))

    def py(y):
        return bottom - int((y - lo) / (hi - lo) * (bottom - top))
    y = lo
    while y <= hi + 1e-9:
        cv.line(left, py(y), right, py(y), GRID)
        text = label(y)
        cv.text(left - 12 * len(text) - 8, py(y) - 7, text)
        y += step
    x = x_lo - (x_lo % xstep)
    while x <= x_hi + 1e-9:
        if x >= x_lo:
            cv.line(px(x), top, px(x), bottom, GRID)
            text = label(x)
            cv.text(px(x) - 6 * len(text), bottom + 8, text)
        x += xstep
    cv.line(left, top, left, bottom, BLACK)
    cv.line(left, bottom, right, bottom, BLACK)
    cv.text(left, top - 26, title)
    cv.text(right - 12 * len(x_title), bottom + 30, x_title)
    lx = left + 12 * len(title) + 40
    for i, (name, s) in enumerate(series):
        c = COLOURS[i % len(COLOURS)]
        for j in range(1, len(s)):
            cv.line(px(xs[j - 1]), py(s[j - 1]), px(xs[j]), py(s[j]), c, width=3)
        cv.rect(lx, top - 22, lx + 20, top - 14, c)
        cv.text(lx + 28, top - 26, name)
        lx += 28 + 12 * len(name) + 30


def chart(path, xs, panels, heading, width=1200, panel_height=300):
    """[panels]: [(title, [(name, [y...])], y_min)] stacked, sharing the x axis (minutes)."""
    height = 60 + len(panels) * (panel_height + 90)
    cv = Canvas(width, height)
    cv.text(20, 16, heading, scale=2)
    top = 90
    for title, series, y_min in panels:
        panel(cv, (130, top, width - 40, top + panel_height), xs, series, title, "minutes",
              y_min=y_min)
        top += panel_height + 90
    with open(path, "wb") as f:
        f.write(cv.png())
