#!/usr/bin/python3
"""read_safetensors.py FILE — an independent NumPy-only reader for checkpoints arcade writes.

Used by tests/test_safetensors.c to check that a file written by arcade is readable without
arcade: it parses the layout from scratch (struct + json + numpy), checks the invariants a
third-party reader relies on, and prints one tab-separated line per item:

    header  <header length>
    meta    <key>   <value as a JSON string>
    tensor  <name>  <dtype>  <d0,d1,...> (empty for a scalar)  <v0> <v1> ...

Floats are printed with repr (shortest text that round-trips), integers in decimal.
Exits non-zero with a message on stderr if anything is malformed.
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U32": "<u4", "U8": "u1"}


def main(path):
    with open(path, "rb") as fh:
        blob = fh.read()
    if len(blob) < 8:
        sys.exit(f"{path}: shorter than 8 bytes")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        sys.exit(f"{path}: header length {n} past the end")
    if n % 8:
        sys.exit(f"{path}: header length {n} is not a multiple of 8")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    print(f"header\t{n}")
    meta = header.pop("__metadata__", {})
    for key, value in meta.items():
        print(f"meta\t{key}\t{json.dumps(value)}")
    end = 0
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    for name, info in entries:
        begin, stop = info["data_offsets"]
        if begin != end:
            sys.exit(f"{path}: tensor {name} does not start where the previous ended")
        end = stop
        dtype = np.dtype(DTYPES[info["dtype"]])
        shape = tuple(info["shape"])
        arr = np.frombuffer(data[begin:stop], dtype=dtype)
        if arr.size != int(np.prod(shape, dtype=np.int64)):
            sys.exit(f"{path}: tensor {name} size does not match its shape")
        arr = arr.reshape(shape)
        if dtype.kind == "f":
            values = [repr(float(v)) for v in arr.ravel()]
        else:
            values = [str(int(v)) for v in arr.ravel()]
        dims = ",".join(str(d) for d in shape)
        print("\t".join(["tensor", name, info["dtype"], dims] + values))
    if end != len(data):
        sys.exit(f"{path}: {len(data) - end} bytes after the last tensor")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: read_safetensors.py FILE")
    main(sys.argv[1])
