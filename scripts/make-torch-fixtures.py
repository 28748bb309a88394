#!/usr/bin/python3
"""Write the PyTorch checkpoint fixtures of tests/models/pytorch*.test.ts with PyTorch itself.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 scripts/make-torch-fixtures.py
Reads tests/fixtures/tiny-bert and tiny-distilbert (model.safetensors + config.json), cuts the
vocabulary and position tables to a few rows (so the fixtures stay small) and writes, under
tests/models/fixtures/torch/:

  <m>.config.json                  the reduced config
  <m>.reference.safetensors        the same float32 weights as safetensors (the expected values)
  <m>.zip.bin                      torch.save (zip format, torch >= 1.6)
  <m>.legacy.bin                   torch.save(_use_new_zipfile_serialization=False) (pre-1.6 format)
  bert.fp16.bin / .bf16.bin        half / bfloat16 weights, with <dtype>.reference.safetensors
  bert.views.bin                   tensors that are views: q/k/v slices of one fused storage
                                   (storage offsets), transposed weights (strides), a strided bias
  bert.tied.bin                    a masked-LM style decoder weight sharing the word embeddings' storage
  bert.sharded/                    pytorch_model.bin.index.json + two .bin shards
  bert.safetensors-sharded/        model.safetensors.index.json + two safetensors shards
  malicious.bin, malicious.legacy.bin   pickles whose __reduce__ calls os.system (must be refused)
"""
import collections
import json
import os
import struct
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(ROOT, "tests", "models", "fixtures", "torch")
VOCAB = 40
POSITIONS = 24

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = collections.OrderedDict()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text.encode())
        for b in blobs:
            f.write(b)


def reduced(model):
    """The shared fixture with VOCAB word rows and POSITIONS position rows."""
    src = os.path.join(FIXTURES, model)
    config = json.load(open(os.path.join(src, "config.json")))
    config.update(vocab_size=VOCAB, max_position_embeddings=POSITIONS)
    sd = read_safetensors(os.path.join(src, "model.safetensors"))
    for k in list(sd):
        if k.endswith("word_embeddings.weight"):
            sd[k] = sd[k][:VOCAB].clone()
        elif k.endswith("position_embeddings.weight"):
            sd[k] = sd[k][:POSITIONS].clone()
        elif k.endswith("position_ids"):
            del sd[k]
    return config, sd


def save(obj, path, legacy=False):
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)


def views_of(sd):
    """The same values, stored as views: fused q/k/v storage, transposed weights, strided biases."""
    out = collections.OrderedDict()
    layers = sorted({k.split(".layer.")[1].split(".")[0] for k in sd if ".layer." in k})
    fused = {}
    for i in layers:
        p = f"bert.encoder.layer.{i}.attention.self."
        qkv = torch.cat([sd[p + "query.weight"], sd[p + "key.weight"], sd[p + "value.weight"]], 0).clone()
        h = sd[p + "query.weight"].shape[0]
        fused[p + "query.weight"] = qkv[0:h]
        fused[p + "key.weight"] = qkv[h:2 * h]      # storage offset h*hidden
        fused[p + "value.weight"] = qkv[2 * h:3 * h]
    for k, v in sd.items():
        if k in fused:
            out[k] = fused[k]
        elif k.endswith("intermediate.dense.weight") or (k.endswith("output.dense.weight") and ".attention." not in k):
            out[k] = v.t().contiguous().t()         # same values, column-major strides
        elif k.endswith("LayerNorm.bias"):
            out[k] = torch.stack([v, torch.zeros_like(v)], 1)[:, 0]  # stride 2
        else:
            out[k] = v
    for k, v in out.items():
        assert torch.equal(v, sd[k]), k
    assert not out["bert.encoder.layer.0.intermediate.dense.weight"].is_contiguous()
    assert out["bert.encoder.layer.0.attention.self.key.weight"].storage_offset() > 0
    return out


class Exploit:
    """What an attacker pickles: unpickling it would run a shell command."""

    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/ner-pickle-pwned",))


def main():
    os.makedirs(OUT, exist_ok=True)
    for model in ("bert", "distilbert"):
        config, sd = reduced("tiny-" + model)
        json.dump(config, open(os.path.join(OUT, f"{model}.config.json"), "w"), indent=2, sort_keys=True)
        write_safetensors(os.path.join(OUT, f"{model}.reference.safetensors"), sd)
        save(sd, os.path.join(OUT, f"{model}.zip.bin"))
        save(sd, os.path.join(OUT, f"{model}.legacy.bin"), legacy=True)
        if model != "bert":
            continue
        for name, dtype in (("fp16", torch.float16), ("bf16", torch.bfloat16)):
            low = collections.OrderedDict((k, v.to(dtype)) for k, v in sd.items())
            write_safetensors(os.path.join(OUT, f"bert.{name}.reference.safetensors"), low)
            save(low, os.path.join(OUT, f"bert.{name}.bin"))
        save(views_of(sd), os.path.join(OUT, "bert.views.bin"))
        tied = collections.OrderedDict(sd)
        tied["cls.predictions.decoder.weight"] = tied["bert.embeddings.word_embeddings.weight"]
        save(tied, os.path.join(OUT, "bert.tied.bin"))
        keys = list(sd)
        halves = [keys[: len(keys) // 2], keys[len(keys) // 2:]]
        for kind, ext, index in (("sharded", "bin", "pytorch_model.bin.index.json"),
                                 ("safetensors-sharded", "safetensors", "model.safetensors.index.json")):
            d = os.path.join(OUT, f"bert.{kind}")
            os.makedirs(d, exist_ok=True)
            weight_map = {}
            for n, part in enumerate(halves, 1):
                stem = "pytorch_model" if ext == "bin" else "model"
                shard = f"{stem}-{n:05d}-of-00002.{ext}"
                piece = collections.OrderedDict((k, sd[k]) for k in part)
                if ext == "bin":
                    save(piece, os.path.join(d, shard))
                else:
                    write_safetensors(os.path.join(d, shard), piece)
                weight_map.update({k: shard for k in part})
            total = sum(v.numel() * v.element_size() for v in sd.values())
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, open(os.path.join(d, index), "w"), indent=2)
            with open(os.path.join(d, "config.json"), "w") as f:
                json.dump(config, f, indent=2, sort_keys=True)
    evil = collections.OrderedDict(weight=torch.zeros(2), payload=Exploit())
    save(evil, os.path.join(OUT, "malicious.bin"))
    save(evil, os.path.join(OUT, "malicious.legacy.bin"), legacy=True)
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote {OUT} ({total} bytes, torch {torch.__version__})")


if __name__ == "__main__":
    sys.exit(main())
