#!/usr/bin/env python3
"""Optimizer step(s) of the real Hugging Face Trainer on a JSONL token-classification set.

Reference for `ner train --max-steps N` parity (tests/training/hf-trainer-step.test.ts). Tokenizes the way
run_ner.py and the HF token-classification tutorials do (is_split_into_words, label on the first sub-token,
-100 elsewhere), pads with DataCollatorForTokenClassification and runs Trainer.train(). Saves the updated model
(model.safetensors + config) to --output. Needs torch, transformers and accelerate (tested: torch 2.13 CPU,
transformers 5.18, accelerate 1.15). For an exact comparison use a checkpoint whose dropout is 0 and a data set
that fits in one batch (then the sampler's order does not matter).

    python scripts/hf-one-step.py --model CKPT --data train.jsonl --output OUT \
        [--batch-size 8] [--grad-accum 1] [--max-steps 1] [--lr 1e-3] [--sequential]
"""
import argparse
import json

import torch
from transformers import (
    AutoModelForTokenClassification,
    AutoTokenizer,
    DataCollatorForTokenClassification,
    Trainer,
    TrainingArguments,
)


def read_jsonl(path, label2id):
    rows = []
    with open(path, encoding="utf8") as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                rows.append({"tokens": obj["tokens"], "ner_tags": [label2id[t] for t in obj["tags"]]})
    return rows


def tokenize_and_align(tokenizer, row):
    # As in the HF token-classification tutorial: label the first sub-token of each word, -100 elsewhere.
    enc = tokenizer(row["tokens"], is_split_into_words=True, truncation=True)
    labels, previous = [], None
    for word in enc.word_ids():
        labels.append(-100 if word is None or word == previous else row["ner_tags"][word])
        previous = word
    enc["labels"] = labels
    return dict(enc)


def write_golden(model, features, path):
    from safetensors.torch import save_file

    ids = sorted({i for f in features for i in f["input_ids"]})
    out = {}
    for name, param in model.state_dict().items():
        if name.endswith("word_embeddings.weight"):
            out[name + ".rows"] = param[torch.tensor(ids)].detach().clone().contiguous()
            out[name + ".row_ids"] = torch.tensor(ids, dtype=torch.int32)
        else:
            out[name] = param.detach().clone().contiguous()
    save_file(out, path, metadata={"format": "pt"})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--grad-accum", type=int, default=1)
    ap.add_argument("--max-steps", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--max-grad-norm", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--golden", help="also write a compact golden here (safetensors): every parameter after the step "
                    "except the word embeddings, of which only the rows of token ids in the data (+ the ids)")
    ap.add_argument("--sequential", action="store_true", help="keep the data order (like `ner train --no-shuffle`)")
    args = ap.parse_args()

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForTokenClassification.from_pretrained(args.model)
    rows = read_jsonl(args.data, model.config.label2id)
    features = [tokenize_and_align(tokenizer, r) for r in rows]

    training_args = TrainingArguments(
        output_dir=args.output + "/trainer",
        max_steps=args.max_steps,
        per_device_train_batch_size=args.batch_size,
        gradient_accumulation_steps=args.grad_accum,
        learning_rate=args.lr,
        weight_decay=args.weight_decay,
        warmup_steps=0,
        max_grad_norm=args.max_grad_norm,
        seed=args.seed,
        report_to=[],
        save_strategy="no",
        logging_steps=1,
        use_cpu=True,
        train_sampling_strategy="sequential" if args.sequential else "random",
    )
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=features,
        data_collator=DataCollatorForTokenClassification(tokenizer),
    )
    result = trainer.train()
    trainer.save_model(args.output)
    if args.golden:
        write_golden(model, features, args.golden)
    log = [h for h in trainer.state.log_history if "loss" in h or "grad_norm" in h]
    info = {
        "transformers": __import__("transformers").__version__,
        "torch": torch.__version__,
        "args": vars(args),
        "train_loss": result.training_loss,
        "log": log,
    }
    with open(args.output + "/hf_step.json", "w") as f:
        json.dump(info, f, indent=2)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
