"""Seeded mutations for the files edgernn-device reads: ONNX protobuf (raw and structure-aware), JSON, CSV, state.

Everything takes a random.Random, so a campaign is reproduced by its seed and case number.
"""
from __future__ import annotations

import copy
import hashlib
import json
import random
import struct

INTERESTING_VARINTS = [0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 1023, 1024, 4096, 65535, 65536,
                       1 << 20, (1 << 24) + 1, 0x7FFFFFFE, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 32, (1 << 40) + 3,
                       (1 << 62), (1 << 63) - 1, 1 << 63, (1 << 64) - 1, (1 << 64) - 2]
INTERESTING_BYTES = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x12, 0x1A, 0x22, 0x3A, 0x42, 0x08]
MAX_CASE_BYTES = 24 << 20


# ---------------------------------------------------------------- raw bytes

def raw_mutation(data: bytes, rnd: random.Random, pool: list[bytes] | None = None) -> bytes:
    b = bytearray(data)
    op = rnd.choice(["flip", "flip", "flips", "byte", "insert", "delete", "truncate", "truncate", "dupchunk", "splice", "zero"])
    n = len(b)
    if n == 0:
        return bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64)))
    if op == "flip":
        i = rnd.randrange(n)
        b[i] ^= 1 << rnd.randrange(8)
    elif op == "flips":
        for _ in range(rnd.randint(2, 32)):
            i = rnd.randrange(n)
            b[i] ^= 1 << rnd.randrange(8)
    elif op == "byte":
        b[rnd.randrange(n)] = rnd.choice(INTERESTING_BYTES) if rnd.random() < 0.7 else rnd.randrange(256)
    elif op == "insert":
        i = rnd.randrange(n + 1)
        b[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.choice([1, 1, 2, 4, 8, 64])))
    elif op == "delete":
        i = rnd.randrange(n)
        del b[i:i + rnd.choice([1, 1, 2, 4, 16, 256])]
    elif op == "truncate":
        del b[rnd.randrange(n):]
    elif op == "dupchunk":
        i = rnd.randrange(n)
        j = min(n, i + rnd.choice([2, 8, 64, 512]))
        chunk = bytes(b[i:j]) * rnd.choice([1, 2, 16, 256])
        k = rnd.randrange(n + 1)
        b[k:k] = chunk
    elif op == "splice" and pool:
        other = rnd.choice(pool)
        if other:
            i = rnd.randrange(n)
            j = rnd.randrange(len(other))
            b = b[:i] + bytearray(other[j:j + rnd.randint(1, 4096)]) + b[i:]
    elif op == "zero":
        i = rnd.randrange(n)
        k = len(b[i:i + rnd.choice([4, 8, 32])])
        b[i:i + k] = bytes(k)
    return bytes(b[:MAX_CASE_BYTES])


# ---------------------------------------------------------------- protobuf wire tree

class PbField:
    __slots__ = ("fn", "wt", "val", "kids", "badlen")

    def __init__(self, fn, wt, val, kids=None):
        self.fn, self.wt, self.val, self.kids, self.badlen = fn, wt, val, kids, 0


def _rvarint(b: bytes, i: int) -> tuple[int, int]:
    r = s = 0
    while True:
        if i >= len(b) or s > 63:
            raise ValueError
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def wvarint(v: int) -> bytes:
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        c = v & 0x7F
        v >>= 7
        if v:
            out.append(c | 0x80)
        else:
            out.append(c)
            return bytes(out)


def pb_parse(b: bytes, depth: int = 0) -> list[PbField]:
    fields = []
    i = 0
    while i < len(b):
        key, i = _rvarint(b, i)
        fn, wt = key >> 3, key & 7
        if fn == 0 or fn > 1 << 20:
            raise ValueError
        if wt == 0:
            v, i = _rvarint(b, i)
            fields.append(PbField(fn, 0, v))
        elif wt == 1:
            if i + 8 > len(b):
                raise ValueError
            fields.append(PbField(fn, 1, b[i:i + 8]))
            i += 8
        elif wt == 5:
            if i + 4 > len(b):
                raise ValueError
            fields.append(PbField(fn, 5, b[i:i + 4]))
            i += 4
        elif wt == 2:
            n, i = _rvarint(b, i)
            if i + n > len(b):
                raise ValueError
            val = b[i:i + n]
            i += n
            kids = None
            if depth < 10 and 2 <= n <= 262144:
                try:
                    kids = pb_parse(val, depth + 1)
                except (ValueError, RecursionError):
                    kids = None
            fields.append(PbField(fn, 2, val, kids))
        else:
            raise ValueError
    return fields


def pb_serialize(fields: list[PbField]) -> bytes:
    out = bytearray()
    for f in fields:
        out += wvarint((f.fn << 3) | f.wt)
        if f.wt == 0:
            out += wvarint(f.val)
        elif f.wt in (1, 5):
            out += f.val
        else:
            data = pb_serialize(f.kids) if f.kids is not None else f.val
            out += wvarint(max(0, len(data) + f.badlen))
            out += data
        if len(out) > MAX_CASE_BYTES:
            break
    return bytes(out)


def _flatten(fields, parent=None, out=None):
    if out is None:
        out = []
    for idx, f in enumerate(fields):
        out.append((fields, idx, f))
        if f.kids is not None:
            _flatten(f.kids, f, out)
    return out


def tree_mutation(tree: list[PbField], rnd: random.Random, donors: list[list[PbField]]) -> list[PbField]:
    tree = copy.deepcopy(tree)
    nodes = _flatten(tree)
    if not nodes:
        return tree
    op = rnd.choice(["varint", "varint", "varint", "dup", "dup", "dupmany", "delete", "delete", "swap", "transplant",
                     "bytes", "bytes", "badlen", "packed", "wiretype"])
    container, idx, f = rnd.choice(nodes)
    if op == "varint":
        varints = [n for n in nodes if n[2].wt == 0] or nodes
        container, idx, f = rnd.choice(varints)
        if f.wt == 0:
            v = f.val
            f.val = rnd.choice(INTERESTING_VARINTS + [v + 1, max(0, v - 1), v * 2, v * 1000, (v ^ (1 << rnd.randrange(64)))])
    elif op == "dup":
        container.insert(idx + 1, copy.deepcopy(f))
    elif op == "dupmany":
        k = rnd.choice([2, 3, 10, 100, 1000, 10000])
        size = len(pb_serialize([f]))
        k = max(1, min(k, MAX_CASE_BYTES // max(1, size) // 2))
        container[idx + 1:idx + 1] = [copy.deepcopy(f) for _ in range(min(k, 20000))] if f.kids is not None and k <= 200 else [f] * k
    elif op == "delete":
        del container[idx]
    elif op == "swap":
        j = rnd.randrange(len(container))
        container[idx], container[j] = container[j], container[idx]
    elif op == "transplant":
        donor_nodes = _flatten(rnd.choice(donors)) if donors else nodes
        same = [n[2] for n in donor_nodes if n[2].fn == f.fn] or [n[2] for n in donor_nodes]
        container[idx] = copy.deepcopy(rnd.choice(same))
    elif op == "bytes":
        leaves = [n for n in nodes if n[2].wt == 2 and n[2].kids is None] or nodes
        container, idx, f = rnd.choice(leaves)
        if f.wt == 2:
            f.kids = None
            f.val = bytes_mutation(f.val, rnd)
    elif op == "badlen":
        lens = [n for n in nodes if n[2].wt == 2] or nodes
        lens_f = rnd.choice(lens)[2]
        lens_f.badlen = rnd.choice([-1, 1, -2, 2, 7, 127, -127, 1 << 20, 1 << 31])
    elif op == "packed":
        lens = [n for n in nodes if n[2].wt == 2] or nodes
        f = rnd.choice(lens)[2]
        f.kids = None
        f.wt = 2
        f.val = b"".join(wvarint(rnd.choice(INTERESTING_VARINTS)) for _ in range(rnd.randint(1, 12)))
    elif op == "wiretype":
        nw = rnd.choice([0, 1, 2, 5])
        f.kids = None
        if nw == 0:
            f.val = rnd.choice(INTERESTING_VARINTS)
        elif nw == 1:
            f.val = struct.pack("<q", rnd.randrange(-(1 << 63), 1 << 63))
        elif nw == 5:
            f.val = struct.pack("<i", rnd.randrange(-(1 << 31), 1 << 31))
        else:
            f.val = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 16)))
        f.wt = nw
    return tree


def bytes_mutation(v: bytes, rnd: random.Random) -> bytes:
    op = rnd.choice(["empty", "long", "control", "nonutf8", "raw", "json", "floats"])
    if op == "empty":
        return b""
    if op == "long":
        return (v or b"x") * rnd.choice([2, 100, 10000]) if len(v) < 1000 else v + v
    if op == "control":
        return v + rnd.choice([b"\n\x1b[2J\x1b[31m", b"\x00", b"\r", b"\xe2\x80\xae", b"\t\x07", b"\xef\xbb\xbf"])
    if op == "nonutf8":
        return v + b"\xff\xfe\xc3"
    if op == "json":
        try:
            doc = json.loads(v.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return raw_mutation(v, rnd)
        return json_mutation_text(doc, rnd).encode("utf-8", "surrogatepass")
    if op == "floats":
        n = len(v) // 4
        if n == 0:
            return struct.pack("<f", float("nan"))
        b = bytearray(v)
        for _ in range(rnd.randint(1, 8)):
            i = rnd.randrange(n) * 4
            b[i:i + 4] = struct.pack("<f", rnd.choice([float("nan"), float("inf"), float("-inf"), 3.4e38, -3.4e38, 1e-45, 0.0, -0.0]))
        return bytes(b)
    return raw_mutation(v, rnd)


def metadata_mutation(tree: list[PbField], rnd: random.Random) -> list[PbField]:
    """JSON-aware mutation of one edgernn.* metadata value (ModelProto.metadata_props = 14; key 1, value 2)."""
    tree = copy.deepcopy(tree)
    props = [f for f in tree if f.fn == 14 and f.kids is not None]
    if not props:
        return tree
    p = rnd.choice(props)
    values = [k for k in p.kids if k.fn == 2 and k.wt == 2]
    if not values:
        return tree
    v = values[0]
    v.kids = None
    try:
        doc = json.loads(v.val.decode("utf-8"))
        v.val = json_mutation_text(doc, rnd).encode("utf-8", "surrogatepass")
    except (ValueError, UnicodeDecodeError):
        v.val = bytes_mutation(v.val, rnd)
    if rnd.random() < 0.1:
        tree.append(copy.deepcopy(p))  # a duplicated key
    return tree


# ---------------------------------------------------------------- JSON

HOSTILE_STRINGS = ["", " ", "x" * 300, "x" * 70000, "\u0000", "a\u0000b", "\n\u001b[31mred\u001b[0m", "\u202eevil", "\ud800",
                   "../../../../../../etc/passwd", "/dev/null", "/proc/self/status", "/", ".", "..", "missing/dir/file",
                   "sub/" * 200 + "f", "n" * 300, "0x76", "0xZZ", "-1", "1e400", "NaN", "csv", "synthetic", "bme280",
                   "mpu6050", "ads1115", "degF", "degC", "steps", "off", "events", "temperature", "value", "timestamp"]
HOSTILE_NUMBERS = [0, -1, 1, 2, -0.0, 0.5, 1e-300, 5e-324, 1e308, -1e308, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 + 1,
                   2 ** 63 - 1, 2 ** 63, -(2 ** 63) - 1, 10 ** 30, 3600, 3600000, 1e-9, float("nan"), float("inf"), float("-inf")]
DEEP = "\"__DEEP__\""


def _paths(doc, path=()):
    yield path
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, path + (i,))


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


def _hostile_value(rnd: random.Random, old):
    kind = rnd.random()
    if kind < 0.12:
        return None
    if kind < 0.40:
        return rnd.choice(HOSTILE_NUMBERS)
    if kind < 0.65:
        return rnd.choice(HOSTILE_STRINGS)
    if kind < 0.72:
        return rnd.choice([True, False])
    if kind < 0.80:
        return rnd.choice([[], {}, [1, 2], {"a": 1}, [None], [old] * rnd.choice([2, 100, 5000])])
    if kind < 0.85:
        return "__DEEP__"
    if isinstance(old, (int, float)) and not isinstance(old, bool):
        return rnd.choice([old * 10 ** rnd.randint(1, 12), -old, old + 1, str(old)])
    if isinstance(old, str):
        return old + rnd.choice(["", "x", "/", "\u0000", " "]) if rnd.random() < 0.5 else old.upper()
    return rnd.choice(HOSTILE_STRINGS)


def json_mutation(doc, rnd: random.Random):
    doc = copy.deepcopy(doc)
    for _ in range(rnd.choice([1, 1, 1, 2, 3])):
        paths = list(_paths(doc))
        path = rnd.choice(paths)
        op = rnd.random()
        if not path:
            if op < 0.5:
                return _hostile_value(rnd, doc)
            continue
        parent = _get(doc, path[:-1])
        key = path[-1]
        if op < 0.55:
            parent[key] = _hostile_value(rnd, parent[key])
        elif op < 0.70:
            del parent[key]
        elif op < 0.80 and isinstance(parent, dict):
            parent[rnd.choice(["adress", "unknown", "Model", "model ", "sensors2", "x" * 200, ""])] = _hostile_value(rnd, None)
        elif op < 0.90 and isinstance(parent, list):
            parent[key:key] = [copy.deepcopy(parent[key]) for _ in range(rnd.choice([1, 2, 10, 500]))]
        else:
            v = parent[key]
            if isinstance(v, dict) and v:
                k = rnd.choice(list(v))
                v[k + rnd.choice(["", "_2"])] = v[k]
            else:
                parent[key] = [v] if not isinstance(v, list) else {"v": v}
    return doc


def json_mutation_text(doc, rnd: random.Random) -> str:
    text = json.dumps(json_mutation(doc, rnd), allow_nan=True, ensure_ascii=rnd.random() < 0.5)
    depth = rnd.choice([10, 100, 1000, 20000])
    if DEEP in text:
        nest = ("[" * depth + "]" * depth) if rnd.random() < 0.5 else ("{\"a\":" * depth + "1" + "}" * depth)
        text = text.replace(DEEP, nest, 1)
    if rnd.random() < 0.25:
        text = text_mutation(text, rnd)
    return text


def text_mutation(text: str, rnd: random.Random) -> str:
    op = rnd.choice(["trailing_comma", "comment", "dupkey", "truncate", "bom", "raw", "nan", "singlequote", "crlf"])
    if op == "trailing_comma":
        i = text.rfind("}")
        return text[:i] + "," + text[i:] if i > 0 else text
    if op == "comment":
        return "// c\n" + text + "/* x"
    if op == "dupkey":
        return text.replace("{", "{\"name\": 1, ", 1)
    if op == "truncate":
        return text[:rnd.randrange(len(text) + 1)]
    if op == "bom":
        return "\ufeff" + text
    if op == "nan":
        return text.replace("3600", rnd.choice(["NaN", "Infinity", "-Infinity", "1e999", "0x10", "+1", "01", "1.", ".5"]), 1)
    if op == "singlequote":
        return text.replace("\"", "'", 4)
    if op == "crlf":
        return text.replace("\n", "\r\n").replace(",", ",\u00a0")
    return raw_mutation(text.encode("utf-8", "surrogatepass"), rnd).decode("utf-8", "surrogateescape")


# ---------------------------------------------------------------- CSV

CSV_CELLS = ["NaN", "nan", "inf", "-inf", "Infinity", "1e39", "-1e39", "3.5e38", "-0", "", " ", "abc", "1,2", "9" * 400,
             "0x10", "1_000", "\u0000", "1e-50", "\"70\"", "70;71", "٣", "+70", "70.", ".5", "1e", "--1", "\t70"]
CSV_TIMES = ["", "garbage", "2013-13-45 25:61:61", "9999-12-31 23:59:59", "0001-01-01 00:00:00", "1969-12-31 23:59:59",
             "2013-07-04T00:00:00Z", "2013-07-04 00:00:00.123456789", "1e20", "-1e20", "1372896000", "99999999999999",
             "2013-07-04", "NaN", "24:00", "2013-07-04 00:00:00+14:00", "\u001b[31m"]


def csv_mutation(lines: list[str], rnd: random.Random) -> bytes:
    lines = list(lines)
    for _ in range(rnd.choice([1, 1, 2, 3, 6])):
        op = rnd.choice(["cell", "cell", "time", "dropcol", "addcol", "droprow", "duprows", "header", "hugeline",
                         "garbage", "empty", "onlyheader", "reverse", "crlf", "bom", "quote", "sep", "manycols"])
        if not lines:
            lines = [""]
        n = len(lines)
        i = rnd.randrange(1, n) if n > 1 else 0
        if op == "cell" and n > 1:
            for _ in range(rnd.choice([1, 5, 50])):
                j = rnd.randrange(1, len(lines)) if len(lines) > 1 else 0
                parts = lines[j].split(",")
                parts[-1] = rnd.choice(CSV_CELLS)
                lines[j] = ",".join(parts)
        elif op == "time" and n > 1:
            parts = lines[i].split(",")
            parts[0] = rnd.choice(CSV_TIMES)
            lines[i] = ",".join(parts)
        elif op == "dropcol":
            lines[i] = lines[i].split(",")[0]
        elif op == "addcol":
            lines[i] = lines[i] + "," * rnd.choice([1, 2, 100])
        elif op == "droprow" and n > 1:
            del lines[i:i + rnd.choice([1, 10, 100])]
        elif op == "duprows":
            k = rnd.choice([2, 100, 20000])
            lines[i:i] = [lines[i]] * max(1, min(k, (8 << 20) // (len(lines[i]) + 1)))
        elif op == "header":
            lines[0] = rnd.choice(["timestamp,Value", "value,timestamp", "timestamp,value,value", "timestamp", "",
                                   ",", "timestamp,value\u0000", "\ufefftimestamp,value", "timestamp;value", "a" * 5000,
                                   "timestamp," + ",".join(f"c{k}" for k in range(5000))])
        elif op == "hugeline":
            size = rnd.choice([1 << 16, 1 << 20, 4 << 20, 8 << 20])
            lines.insert(i, rnd.choice(["2013-07-04 00:00:00,", ""]) + rnd.choice(["9", "x", ",", "1,"]) * (size // 2))
        elif op == "garbage":
            blob = bytes(rnd.randrange(256) for _ in range(rnd.choice([16, 256, 4096])))
            lines.insert(i, blob.decode("latin-1"))
        elif op == "empty":
            lines = [] if rnd.random() < 0.5 else [""]
        elif op == "onlyheader":
            lines = lines[:1]
        elif op == "reverse":
            lines[1:] = lines[1:][::-1]
        elif op == "crlf":
            lines = [l + "\r" for l in lines]
        elif op == "bom":
            lines[0:1] = ["\ufeff" + (lines[0] if lines else "")]
        elif op == "quote":
            lines[i] = "\"" + lines[i]
        elif op == "sep":
            lines[i] = lines[i].replace(",", rnd.choice([";", "\t", " ", ",,"]))
        elif op == "manycols":
            cell = "," + rnd.choice(CSV_CELLS)
            lines[i] = lines[i] + cell * min(rnd.choice([10, 1000, 100000]), (8 << 20) // len(cell))
        # Keep a case under MAX_CASE_BYTES (repeated huge lines would exhaust the driver's own memory).
        total = sum(len(l) + 1 for l in lines)
        while total > MAX_CASE_BYTES and len(lines) > 1:
            total -= len(lines.pop()) + 1
        if total > MAX_CASE_BYTES:
            lines[0] = lines[0][:MAX_CASE_BYTES]
    data = ("\n".join(lines) + rnd.choice(["\n", "", "\n\n"])).encode("latin-1", "replace") if rnd.random() < 0.3 else \
        ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")
    if rnd.random() < 0.2:
        data = raw_mutation(data, rnd)
    return data[:MAX_CASE_BYTES]


# ---------------------------------------------------------------- device state files

def state_mutation(state: bytes, rnd: random.Random) -> tuple[bytes, str]:
    """A mutated state file, and how (the outer SHA-256 is recomputed for half the cases, so the deeper checks run)."""
    b = bytearray(state)
    op = rnd.choice(["raw", "raw", "length", "float", "float", "double", "truncate", "extend", "empty", "version", "model"])
    if op == "raw":
        b = bytearray(raw_mutation(bytes(b), rnd))
    elif op == "length" and len(b) >= 48:
        rnn = struct.unpack_from("<i", b, 40)[0]
        where = 40 if rnd.random() < 0.5 or not (0 <= rnn <= len(b) - 80) else 44 + rnn
        struct.pack_into("<i", b, where, rnd.choice([0, 1, -1, 4, 0x7FFFFFFF, -0x80000000, 0x7FFFFFB0, len(b), len(b) - 79, rnn + 4, rnn - 4]))
    elif op in ("float", "double") and len(b) > 80:
        size = 4 if op == "float" else 8
        for _ in range(rnd.randint(1, 4)):
            i = rnd.randrange(44, len(b) - 32 - size)
            vals = [float("nan"), float("inf"), float("-inf"), -1.0, 1e30, -1e30, 3.4e38, 1e-40]
            struct.pack_into("<f" if size == 4 else "<d", b, i, rnd.choice(vals))
    elif op == "truncate":
        del b[rnd.randrange(len(b) + 1):]
    elif op == "extend":
        b += bytes(rnd.randrange(256) for _ in range(rnd.choice([1, 32, 4096, 1 << 20])))
    elif op == "empty":
        b = bytearray()
    elif op == "version" and len(b) >= 8:
        struct.pack_into("<H", b, 4, rnd.choice([0, 2, 0xFFFF]))
    elif op == "model" and len(b) >= 40:
        b[8 + rnd.randrange(32)] ^= 0xFF
    fixed = rnd.random() < 0.5 and len(b) >= 80
    inner = False
    if fixed:
        # The recurrent state (at 44) and the scorer state (after its length) end in their own SHA-256: reseal those
        # too in half the cases, so a value inside them reaches the finiteness and range checks.
        rnn = struct.unpack_from("<i", b, 40)[0]
        if rnd.random() < 0.5 and 32 <= rnn <= len(b) - 80:
            inner = True
            b[44 + rnn - 32:44 + rnn] = hashlib.sha256(bytes(b[44:44 + rnn - 32])).digest()
            scorer = struct.unpack_from("<i", b, 44 + rnn)[0]
            if 32 <= scorer <= len(b) - 80 - rnn:
                at = 48 + rnn
                b[at + scorer - 32:at + scorer] = hashlib.sha256(bytes(b[at:at + scorer - 32])).digest()
        b[-32:] = hashlib.sha256(bytes(b[:-32])).digest()
    return bytes(b), op + ("+all checksums" if inner else "+checksum" if fixed else "")
