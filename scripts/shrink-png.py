#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""shrink-png.py -- make the examples' PNGs small enough to commit
(docs/images/), with the Python standard library only.

    scripts/shrink-png.py IN.png OUT.png [--crop X,Y,W,H] [--scale N]
                          [--grey-bits 4]

Reads an 8-bit, non-interlaced grey or RGB PNG (what
examples/support/image_grid.c and plot.c write), optionally crops it to
the W x H pixels at (X, Y), optionally enlarges it N times by repeating
pixels (small filter maps stay sharp in a browser, which would blur them
when enlarging; the repeats cost little once compressed), and writes it
in the smallest of these forms that loses nothing but what was asked:
  - grey, when every pixel is grey (r = g = b), at 8 bits a pixel, or at
    --grey-bits (1, 2 or 4) with the levels rounded to that many bits;
  - a palette, when there are at most 256 colours;
  - RGB otherwise;
with each row's PNG filter chosen by the usual minimum-sum heuristic and
zlib at level 9.  Prints the sizes.
"""
import argparse
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != SIGNATURE:
        sys.exit(f"{path}: not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3}.get(colour)
    if depth != 8 or channels is None or interlace:
        sys.exit(f"{path}: only 8-bit, non-interlaced grey or RGB PNGs are read")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        unfilter(kind, line, prev, channels)
        rows.append(line)
        prev = line
    pixels = [[tuple(row[x * channels:(x + 1) * channels]) for x in range(width)]
              for row in rows]
    return pixels


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def predictor(kind, line, prev, i, bpp):
    a = line[i - bpp] if i >= bpp else 0
    b = prev[i]
    c = prev[i - bpp] if i >= bpp else 0
    return (0, a, b, (a + b) // 2, paeth(a, b, c))[kind]


def unfilter(kind, line, prev, bpp):
    for i in range(len(line)):
        line[i] = (line[i] + predictor(kind, line, prev, i, bpp)) & 0xFF


def filtered(line, prev, bpp):
    """The filtered row with the smallest sum of |signed bytes|."""
    best = None
    for kind in range(5):
        out = bytearray([kind])
        out += bytes((line[i] - predictor(kind, line, prev, i, bpp)) & 0xFF
                     for i in range(len(line)))
        cost = sum(v if v < 128 else 256 - v for v in out[1:])
        if best is None or cost < best[0]:
            best = (cost, out)
    return best[1]


def pack(values, bits):
    """Packs values of `bits` bits (1, 2, 4 or 8) into bytes, MSB first."""
    if bits == 8:
        return bytearray(values)
    per = 8 // bits
    out = bytearray()
    for i in range(0, len(values), per):
        byte = 0
        for j in range(per):
            v = values[i + j] if i + j < len(values) else 0
            byte |= v << (8 - bits * (j + 1))
        out.append(byte)
    return out


def chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body +
            struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def write_png(path, pixels, grey_bits):
    height, width = len(pixels), len(pixels[0])
    colours = sorted({p for row in pixels for p in row})
    extra = b""
    if all(len(set(p)) == 1 for p in colours):
        colour, depth, bpp, filter_rows = 0, grey_bits, 1, grey_bits == 8
        top = (1 << grey_bits) - 1
        rows = [pack([(p[0] * top + 127) // 255 for p in row], grey_bits)
                for row in pixels]
    elif len(colours) <= 256:
        index = {c: i for i, c in enumerate(colours)}
        depth = next(b for b in (1, 2, 4, 8) if len(colours) <= 1 << b)
        colour, bpp, filter_rows = 3, 1, False
        rows = [pack([index[p] for p in row], depth) for row in pixels]
        extra = chunk(b"PLTE", bytes(v for c in colours for v in c))
    else:
        colour, depth, bpp, filter_rows = 2, 8, 3, True
        rows = [bytearray(v for p in row for v in p) for row in pixels]
    raw, prev = bytearray(), bytearray(len(rows[0]))
    for row in rows:
        # Filters help 8-bit grey and RGB; packed and palette rows compress
        # better unfiltered (the PNG specification's advice).
        raw += filtered(row, prev, bpp) if filter_rows else b"\0" + row
        prev = row
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(SIGNATURE + chunk(b"IHDR", header) + extra +
                chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--crop", help="X,Y,W,H in pixels")
    parser.add_argument("--scale", type=int, default=1, help="enlarge N times")
    parser.add_argument("--grey-bits", type=int, default=8, choices=(1, 2, 4, 8))
    args = parser.parse_args()
    pixels = read_png(args.input)
    if args.crop:
        x, y, w, h = (int(v) for v in args.crop.split(","))
        if x + w > len(pixels[0]) or y + h > len(pixels):
            sys.exit(f"--crop {args.crop} is outside the "
                     f"{len(pixels[0])} x {len(pixels)} image")
        pixels = [row[x:x + w] for row in pixels[y:y + h]]
    if args.scale > 1:
        pixels = [[p for p in row for _ in range(args.scale)]
                  for row in pixels for _ in range(args.scale)]
    write_png(args.output, pixels, args.grey_bits)
    with open(args.input, "rb") as a, open(args.output, "rb") as b:
        print(f"{args.input}: {len(a.read())} bytes -> {args.output}: "
              f"{len(b.read())} bytes, {len(pixels[0])} x {len(pixels)}")


if __name__ == "__main__":
    main()
