#!/usr/bin/env python3
"""Independent reader for an MLComponents model archive, used to pin our on-disk format.

Reads sample_model.zip (written by our C# writer; regenerate it with
  MLC_ARCHIVE_FIXTURE_OUT=$PWD/UnitTests/Fixtures/archive/sample_model.zip \
  dotnet test UnitTests/MLComponents.UnitTests.csproj -c Release --filter "FullyQualifiedName~ArchiveFormatTests"
) with nothing but zipfile, struct, json and numpy, checks every safetensors entry against the rules of the
safetensors format (as the reference Rust/Python implementation validates it), and writes
sample_model.expected.json: per tensor its dtype, shape and values (float32 as raw IEEE bit patterns, so
NaN, -0 and denormals compare exactly), per text entry its lines, and the manifest's headline fields.

Run: /usr/bin/python3 UnitTests/Fixtures/archive/make_archive_golden.py
"""
import json
import os
import struct
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {"F32": ("<f4", "<u4"), "I32": ("<i4", "<i4")}


def read_safetensors(blob):
    assert len(blob) >= 8, "shorter than the 8-byte length prefix"
    (n,) = struct.unpack("<Q", blob[:8])
    assert 8 + n <= len(blob), "header runs past the end"
    header_bytes = blob[8:8 + n]
    assert header_bytes[:1] == b"{", "header must start with '{'"
    header = json.loads(header_bytes.decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", None)
    assert metadata is None or all(isinstance(v, str) for v in metadata.values())
    tensors = {}
    spans = []
    for name, info in header.items():
        assert set(info) == {"dtype", "shape", "data_offsets"}, info
        begin, end = info["data_offsets"]
        shape = info["shape"]
        assert all(isinstance(d, int) and d >= 0 for d in shape)
        numel = int(np.prod(shape)) if shape else 1
        assert end - begin == numel * 4, (name, shape, begin, end)
        spans.append((begin, end))
        as_value, as_json = DTYPES[info["dtype"]]
        raw = np.frombuffer(data[begin:end], dtype=as_json)
        tensors[name] = {"dtype": info["dtype"], "shape": shape, "values": [int(v) for v in raw]}
        if info["dtype"] == "F32":
            # Also decoded as numpy float32, so the test sees numpy's reading of the bits, not only the bits.
            floats = np.frombuffer(data[begin:end], dtype=as_value)
            tensors[name]["as_float"] = [float(v) if np.isfinite(v) else str(v) for v in floats]
    # The reference validator: sorted by offsets, the tensors tile the data region with no gap or overlap.
    pos = 0
    for begin, end in sorted(spans):
        assert begin == pos, ("gap or overlap at", begin, pos)
        pos = end
    assert pos == len(data), ("data region not fully covered", pos, len(data))
    assert (8 + n) % 8 == 0, "our writer pads the header to 8 bytes"
    return metadata, tensors


def main():
    path = os.path.join(HERE, "sample_model.zip")
    out = {"entries": [], "tensors": {}, "texts": {}, "metadata": {}}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            out["entries"].append(info.filename)
            blob = z.read(info)  # zipfile checks the CRC
            if info.filename.endswith(".safetensors"):
                meta, tensors = read_safetensors(blob)
                out["tensors"][info.filename] = tensors
                out["metadata"][info.filename] = meta
            elif info.filename.endswith(".txt"):
                text = blob.decode("utf-8")
                assert text == "" or text.endswith("\n")
                out["texts"][info.filename] = text.split("\n")[:-1] if text else []
        manifest = json.loads(z.read("manifest.json").decode("utf-8"))
    out["manifest"] = {
        "format": manifest["format"],
        "formatVersion": manifest["formatVersion"],
        "columns": [c["name"] for c in manifest["inputSchema"]],
        "rootTypeId": manifest["model"]["typeId"],
    }
    with open(os.path.join(HERE, "sample_model.expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
