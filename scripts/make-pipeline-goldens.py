#!/usr/bin/env python3
"""Golden outputs of HF transformers' token-classification pipeline on tricky texts.

Run with a Python that has torch + transformers (here: /tmp/hfvenv/bin/python):

    /tmp/hfvenv/bin/python scripts/make-pipeline-goldens.py

Loads the tiny fixture checkpoints (tests/fixtures/tiny-bert, tiny-distilbert; override
the directory with $NER_FIXTURES_DIR) with AutoModelForTokenClassification + the fast
AutoTokenizer and records pipeline("token-classification") outputs for every aggregation
strategy, with the default ignore_labels and with ignore_labels=[], plus `stride` runs on a text
longer than model_max_length. The tiny models have RANDOM weights: the labels are meaningless,
only the mechanics (offsets, words, grouping, scores) are being pinned down.

Offsets (start/end) are stored exactly as Python gives them: code-point indices.
Writes tests/pipeline/fixtures/hf-tricky-goldens.json.
"""
import json
import os
import sys

import numpy as np
import tokenizers
import torch
import transformers
from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

FIXTURES = os.environ.get("NER_FIXTURES_DIR", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "fixtures"))
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "pipeline", "fixtures",
                   "hf-tricky-goldens.json")
STRATEGIES = ["none", "simple", "first", "average", "max"]

TEXTS = [
    "Hello!!! (New York)...",
    "José Müller visited Zürich.",
    "Jose\u0301 Mu\u0308ller visited Zu\u0308rich",  # combining accents (NFD)
    "ÉCOLE Polytechnique in Île-de-France",
    "Ángela and Søren met Łukasz in Kraków",
    "I love Paris 😀 and Berlin 🇩🇪!",
    "The family 👨‍👩‍👧 moved to London ❤️ yesterday",
    "Tokyo 東京 and Beijing 北京 are capitals",
    "Visit ☃ Snowville or ⟁ Trianglia",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Inc. hired ᚠᚢᚦ",
    "New York New York",
    "Paris Paris Paris London London",
    "Anne-Marie O'Neill joined Coca-Cola's board",
    "U.S.A. vs. U.K. -- 3:2 (a.k.a. 'the final')",
    "   Leading spaces Berlin",
    "Trailing spaces Berlin   ",
    "Multiple   spaces    between     Rome  and   Milan",
    "Tabs\tand\nnewlines\r\nin Madrid\t\tSpain",
    "",
    " ",
    "!!!",
    "😀",
    "SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .",
    "naïve café résumé at Café de Flore",
    "Dr. Smith (MIT) & Prof. Lee [Stanford] {Oxford} <Cambridge>",
    "price: $1,000.50 / €900 / ¥100,000",
]

# Longer than model_max_length (512) tokens for both tokenizers.
LONG_TEXT = " ".join(
    f"Sentence {i} : Angela Merkel met Emmanuel Macron in Paris and Berlin , then flew to New York ."
    for i in range(40)
)
STRIDES = [128, 16]


def to_py(value):
    """numpy scalars/arrays -> plain Python (floats stay full float32->float64 precision)."""
    if isinstance(value, dict):
        return {k: to_py(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_py(v) for v in value]
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def run(ner, text, **kwargs):
    """Pipeline output, or the error HF raises (type and message) if it refuses."""
    try:
        return {"entities": to_py(ner(text, **kwargs))}
    except Exception as exc:  # record refusals (e.g. empty input, stride with none) as data
        return {"error": type(exc).__name__, "message": str(exc)}


def goldens_for(model_name):
    model_dir = os.path.join(FIXTURES, model_name)
    tokenizer = AutoTokenizer.from_pretrained(model_dir, use_fast=True)
    model = AutoModelForTokenClassification.from_pretrained(model_dir)
    model.eval()
    ner = pipeline("token-classification", model=model, tokenizer=tokenizer, device=-1)
    cases = []
    for text in TEXTS:
        case = {"text": text, "outputs": {}, "outputs_no_ignore": {}}
        for strategy in STRATEGIES:
            case["outputs"][strategy] = run(ner, text, aggregation_strategy=strategy)
            case["outputs_no_ignore"][strategy] = run(ner, text, aggregation_strategy=strategy, ignore_labels=[])
        case["tokens"] = tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"])
        cases.append(case)
    long_case = {"text": LONG_TEXT, "num_tokens": len(tokenizer(LONG_TEXT)["input_ids"]), "outputs": {}, "stride": {}}
    for strategy in STRATEGIES:
        long_case["outputs"][strategy] = run(ner, LONG_TEXT, aggregation_strategy=strategy)
        long_case["stride"][strategy] = {
            str(s): run(ner, LONG_TEXT, aggregation_strategy=strategy, stride=s) for s in STRIDES
        }
    return {"cases": cases, "long": long_case, "model_max_length": tokenizer.model_max_length}


def main():
    torch.manual_seed(0)
    doc = {
        "description": "HF pipeline('token-classification') outputs on tricky texts; models have RANDOM "
                       "weights (labels meaningless). start/end are Python code-point indices.",
        "generator": "scripts/make-pipeline-goldens.py",
        "versions": {"transformers": transformers.__version__, "torch": torch.__version__,
                     "python": sys.version.split()[0], "numpy": np.__version__,
                     "tokenizers": tokenizers.__version__},
        "stride_note": "tokenizers 0.23.1+ returns an under-covering Encoding.overflowing (huggingface/tokenizers "
                       "#2091, fix PR #2098; 0.22.2 returned every window), so with tokenizers 0.23.x the stride "
                       "outputs here cover only the first window plus stride+few tokens; they record that "
                       "behaviour, not the intended full-text one.",
        "strategies": STRATEGIES,
        "strides": STRIDES,
        "models": {name: goldens_for(name) for name in ["tiny-bert", "tiny-distilbert"]},
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
