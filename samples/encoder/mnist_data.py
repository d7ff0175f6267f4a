"""Readers for the cache that samples/data/fetch.sh fills (layout: samples/data/README.md)."""

import os
import struct
import zlib

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cache_dir():
    d = os.environ.get("MLOOD_DATA") or os.path.join(REPO, ".cache", "mlood-data")
    if not os.path.isfile(os.path.join(d, "MANIFEST.txt")):
        raise SystemExit(f"data cache {d} is incomplete: run  bash samples/data/fetch.sh  first")
    return d


def read_idx(path):
    """IDX: big-endian int32 magic (0x0000 08 nd: uint8 data, nd dims), nd big-endian int32 dims, data."""
    with open(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack(">i", raw[:4])[0]
    if magic >> 8 != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {magic:#010x})")
    nd = magic & 0xFF
    dims = struct.unpack(">" + "i" * nd, raw[4 : 4 + 4 * nd])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * nd)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} bytes of data, dims {dims}")
    return data.reshape(dims)


def load_split(name, split):
    """Images (n, 28, 28) uint8 and labels (n,) uint8; name is 'mnist' or 'fashion-mnist', split 'train' or 't10k'."""
    d = os.path.join(cache_dir(), name)
    images = read_idx(os.path.join(d, f"{split}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(d, f"{split}-labels-idx1-ubyte"))
    assert images.shape[0] == labels.shape[0]
    return images, labels


def read_grey_png(path):
    """The skimage textures are 8-bit greyscale, non-interlaced PNGs; this decodes exactly that case
    (with zlib alone, so no imaging library is needed) and refuses anything else."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(raw):
        length, kind = struct.unpack(">I4s", raw[pos : pos + 8])
        body = raw[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if (depth, colour, interlace) != (8, 0, 0):
        raise ValueError(f"{path}: expected 8-bit greyscale non-interlaced, got depth {depth} colour {colour}")
    rows = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8).reshape(height, width + 1)
    return _unfilter(rows[:, 0], rows[:, 1:].astype(np.int32))


def _unfilter(filters, rows):
    # PNG filter types 0-4 (PNG spec section 9), 1 byte per pixel.
    out = np.zeros_like(rows)
    for y in range(rows.shape[0]):
        up = out[y - 1] if y > 0 else np.zeros(rows.shape[1], np.int32)
        f, line = filters[y], rows[y]
        if f == 0:
            out[y] = line
        elif f == 2:
            out[y] = (line + up) & 0xFF
        else:
            cur = np.zeros(rows.shape[1], np.int32)
            for x in range(rows.shape[1]):
                left = cur[x - 1] if x > 0 else 0
                ul = up[x - 1] if x > 0 else 0
                if f == 1:
                    pred = left
                elif f == 3:
                    pred = (left + up[x]) >> 1
                elif f == 4:
                    p = left + up[x] - ul
                    pa, pb, pc = abs(p - left), abs(p - up[x]), abs(p - ul)
                    pred = left if pa <= pb and pa <= pc else (up[x] if pb <= pc else ul)
                else:
                    raise ValueError(f"bad PNG filter {f}")
                cur[x] = (line[x] + pred) & 0xFF
            out[y] = cur
    return out.astype(np.uint8)


def texture_crops(n, seed=0, size=28):
    """n seeded random size x size crops, cycling brick, grass, gravel (n // 3 or so each).
    Crop i comes from texture i % 3 at a top-left corner drawn uniformly from numpy's
    default_rng(seed): integers(0, 512 - size + 1) for the row, then for the column."""
    d = os.path.join(cache_dir(), "textures")
    textures = [read_grey_png(os.path.join(d, f"{t}.png")) for t in ("brick", "grass", "gravel")]
    rng = np.random.default_rng(seed)
    crops = np.empty((n, size, size), np.uint8)
    for i in range(n):
        t = textures[i % 3]
        y = rng.integers(0, t.shape[0] - size + 1)
        x = rng.integers(0, t.shape[1] - size + 1)
        crops[i] = t[y : y + size, x : x + size]
    return crops
