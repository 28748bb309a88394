#!/usr/bin/env python3
"""Re-derive the golden fixtures in tests/fixtures/ with the real Python libraries installed here.

The goldens were made by the project maintainers with transformers 4.57.6 / tokenizers 0.22.2 / torch 2.13 and
seqeval 1.2.2 (see tests/fixtures/README.md). seqeval cannot be installed from this machine's wheel mirror, so its
goldens are kept as data; everything else is recomputed here with the transformers 5.x and torch 2.x that pip
installs, and compared with the stored values at the tolerances the tests use:

- every fixture file's size and sha256 against the manifest in <model>/golden.json;
- eval-mode logits (1e-4 abs) and loss (1e-5 rel) of every golden batch of both tiny checkpoints;
- tokens, input_ids and word_ids of all 412 golden sentences with both vocabularies (exact), and the ids of the
  words joined by spaces (exact);
- the tokenizer/config files of the hub models against each other where Hugging Face publishes them equal;
- with NER_DATA_DIR set, the corpus mirror's files against tests/fixtures/corpora.sha256.

Run (about a minute):
    python3 -m venv .venv-fixtures && .venv-fixtures/bin/pip install --index-url file:///opt/pypi/simple \\
        --extra-index-url file:///opt/pypi-more/simple --find-links /opt/wheels torch transformers safetensors
    .venv-fixtures/bin/python scripts/check-fixtures.py
Exit status 1 on any mismatch; the last line says what was checked.
"""
import hashlib
import json
import os
import sys

import torch
import transformers
from transformers import AutoModelForTokenClassification, AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")
failures = []
checked = []


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_files(model):
    manifest = json.load(open(os.path.join(FIX, model, "golden.json")))["files"]
    for name, meta in manifest.items():
        p = os.path.join(FIX, model, name)
        if os.path.getsize(p) != meta["bytes"] or sha256(p) != meta["sha256"]:
            failures.append(f"{model}/{name}: size or sha256 differs from golden.json's manifest")
    checked.append(f"{model}: {len(manifest)} files by sha256")


def check_model(model):
    golden = json.load(open(os.path.join(FIX, model, "golden.json")))
    net = AutoModelForTokenClassification.from_pretrained(os.path.join(FIX, model)).eval()
    worst_logit, worst_loss = 0.0, 0.0
    for name, b in golden["batches"].items():
        inputs = {"input_ids": torch.tensor(b["input_ids"]), "attention_mask": torch.tensor(b["attention_mask"])}
        if b.get("token_type_ids") is not None and model != "tiny-distilbert":
            inputs["token_type_ids"] = torch.tensor(b["token_type_ids"])
        with torch.no_grad():
            out = net(**inputs, labels=torch.tensor(b["labels"]))
        d = (out.logits - torch.tensor(b["logits"])).abs().max().item()
        rel = abs(out.loss.item() - b["loss"]) / abs(b["loss"])
        worst_logit, worst_loss = max(worst_logit, d), max(worst_loss, rel)
        if d > 1e-4:
            failures.append(f"{model} {name}: logits differ by {d:.3g} (> 1e-4)")
        if rel > 1e-5:
            failures.append(f"{model} {name}: loss differs by {rel:.3g} relative (> 1e-5)")
    checked.append(
        f"{model}: {len(golden['batches'])} batches, logits max |diff| {worst_logit:.2g}, loss max rel {worst_loss:.2g}"
    )


def check_tokenizers():
    golden = json.load(open(os.path.join(FIX, "tokenizer-golden.json")))
    sets = {k: v for k, v in golden.items() if isinstance(v, dict) and "conll2003_test" in v}
    for key, groups in sets.items():
        directory = "tiny-distilbert" if key.startswith("bert-base-uncased") else "tiny-bert"
        tok = AutoTokenizer.from_pretrained(os.path.join(FIX, directory))
        n = 0
        for group in ("conll2003_test", "mit_restaurant_test"):
            for s in groups[group]:
                enc = tok(s["words"], is_split_into_words=True)
                if enc["input_ids"] != s["input_ids"]:
                    failures.append(f"{key} {group}[{s['index']}]: input_ids differ")
                if tok.convert_ids_to_tokens(enc["input_ids"]) != s["tokens"]:
                    failures.append(f"{key} {group}[{s['index']}]: tokens differ")
                if enc.word_ids() != s["word_ids"]:
                    failures.append(f"{key} {group}[{s['index']}]: word_ids differ")
                if tok(" ".join(s["words"]))["input_ids"] != s["text_input_ids"]:
                    failures.append(f"{key} {group}[{s['index']}]: ids of the joined words differ")
                n += 1
        for s in groups["extra_texts"]:
            if tok(s["text"])["input_ids"] != s["input_ids"]:
                failures.append(f"{key} extra text {s['text']!r}: input_ids differ")
            n += 1
        checked.append(f"{directory} tokenizer: {n} golden inputs")


def check_models_dir():
    models = os.path.join(FIX, "models")
    uncased = os.path.join(ROOT, "data", "models", "bert-base-uncased")
    for f in ("vocab.txt", "tokenizer.json"):
        if sha256(os.path.join(models, "distilbert-base-uncased", f)) != sha256(os.path.join(uncased, f)):
            failures.append(f"models/distilbert-base-uncased/{f} differs from bert-base-uncased's (HF publishes them equal)")
    for name in ("bert-base-cased", "distilbert-base-uncased"):
        AutoTokenizer.from_pretrained(os.path.join(models, name))
        transformers.AutoConfig.from_pretrained(os.path.join(models, name))
    checked.append("models/: both tokenizers and configs load in transformers")


def check_corpora():
    mirror = os.environ.get("NER_DATA_DIR")
    if not mirror:
        checked.append("corpora: NER_DATA_DIR not set, not checked")
        return
    n = 0
    for line in open(os.path.join(FIX, "corpora.sha256")):
        digest, rel = line.split()
        p = os.path.join(mirror, rel[len("data/"):])
        if sha256(p) != digest:
            failures.append(f"{p}: sha256 differs from tests/fixtures/corpora.sha256")
        n += 1
    checked.append(f"corpora: {n} files of {mirror} by sha256")


for m in ("tiny-bert", "tiny-distilbert"):
    check_files(m)
    check_model(m)
check_tokenizers()
check_models_dir()
check_corpora()
for f in failures:
    print("MISMATCH", f)
print(f"torch {torch.__version__}, transformers {transformers.__version__}")
for c in checked:
    print(" -", c)
print(f"{len(failures)} mismatches")
sys.exit(1 if failures else 0)
