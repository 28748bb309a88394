#!/usr/bin/env python3
"""The main job (`npm start`) written with transformers + torch: the peer of `npm run bench -- main-job`.

The same job as `ner train`'s defaults: a BertForTokenClassification trained from scratch (hidden 128,
2 layers, 2 heads, feed-forward 512, the bert-base-uncased vocabulary and tokenizer from
data/models/bert-base-uncased) on MIT Restaurant (data/mit_restaurant/{train,test}.bio), max length 32,
the first sub-token of each word labelled (the others -100), batch 16 shuffled each epoch, 4 epochs,
AdamW lr 1e-3 with the Trainer's decay grouping (weight decay 0.01, none on biases and LayerNorm
weights), linear schedule with 10 % warmup, gradient clipping 1.0, seed 42, and an evaluation on the
test split (batch 32) after every epoch. The loop is the Hugging Face Trainer's, written out in torch
(the Trainer itself needs `accelerate`); entity F1 is seqeval's default (IOB2, micro average),
computed here because seqeval is not installable from the local mirror.

Prints one JSON line: {"f1", "precision", "recall", "accuracy", "train_s", "wall_s", "epochs": [...],
"torch", "transformers", "threads"}.
"""
import argparse
import json
import math
import os
import random
import sys
import time

T0 = time.perf_counter()

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_bio(path):
    """Sentences of a two-column file (tag, TAB, word; blank line between sentences)."""
    sentences, words, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                if words:
                    sentences.append((words, tags))
                words, tags = [], []
                continue
            parts = line.split("\t")
            if len(parts) != 2:
                sys.exit(f"{path}:{n}: expected 'tag<TAB>word', got {line[:80]!r}")
            tags.append(parts[0])
            words.append(parts[1])
    if words:
        sentences.append((words, tags))
    return sentences


def encode(tokenizer, sentences, label2id, max_length):
    """Tokenize pre-split words; label the first sub-token of each word, -100 elsewhere (run_ner.py)."""
    enc = tokenizer([w for w, _ in sentences], is_split_into_words=True, truncation=True, max_length=max_length)
    features = []
    for i, (_, tags) in enumerate(sentences):
        word_ids, labels, previous = enc.word_ids(i), [], None
        for wid in word_ids:
            labels.append(-100 if wid is None or wid == previous else label2id[tags[wid]])
            previous = wid
        features.append({"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                         "labels": labels})
    return features


def collate(features):
    """Pad to the longest in the batch (DataCollatorForTokenClassification): pad id 0, labels -100."""
    width = max(len(f["input_ids"]) for f in features)
    pad = lambda xs, v: xs + [v] * (width - len(xs))  # noqa: E731
    return {
        "input_ids": torch.tensor([pad(f["input_ids"], 0) for f in features]),
        "attention_mask": torch.tensor([pad(f["attention_mask"], 0) for f in features]),
        "labels": torch.tensor([pad(f["labels"], -100) for f in features]),
    }


# seqeval's default (non-strict) chunking, as seqeval.metrics.sequence_labeling.get_entities.
def _end_of_chunk(prev_tag, tag, prev_type, type_):
    return (prev_tag in ("E", "S") or (prev_tag in ("B", "I") and tag in ("B", "S", "O"))
            or (prev_tag not in ("O", ".") and prev_type != type_))


def _start_of_chunk(prev_tag, tag, prev_type, type_):
    return (tag in ("B", "S") or (prev_tag == "E" and tag in ("E", "I")) or (prev_tag == "S" and tag in ("E", "I"))
            or (prev_tag == "O" and tag in ("E", "I")) or (tag not in ("O", ".") and prev_type != type_))


def get_entities(seqs):
    flat = [t for seq in seqs for t in seq + ["O"]]
    prev_tag, prev_type, begin, chunks = "O", "", 0, []
    for i, chunk in enumerate(flat + ["O"]):
        tag, type_ = chunk[0], chunk[1:].split("-", maxsplit=1)[-1] or "_"
        if _end_of_chunk(prev_tag, tag, prev_type, type_):
            chunks.append((prev_type, begin, i - 1))
        if _start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return set(chunks)


def entity_scores(y_true, y_pred):
    true, pred = get_entities(y_true), get_entities(y_pred)
    hit = len(true & pred)
    p = hit / len(pred) if pred else 0.0
    r = hit / len(true) if true else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    tokens = sum(len(s) for s in y_true)
    acc = sum(a == b for ts, ps in zip(y_true, y_pred) for a, b in zip(ts, ps)) / tokens if tokens else 0.0
    return {"precision": p, "recall": r, "f1": f1, "accuracy": acc}


def evaluate(model, features, id2label, batch_size):
    model.eval()
    y_true, y_pred, loss_sum, n = [], [], 0.0, 0
    with torch.no_grad():
        for start in range(0, len(features), batch_size):
            batch = collate(features[start:start + batch_size])
            out = model(**batch)
            loss_sum += out.loss.item() * len(batch["labels"])
            n += len(batch["labels"])
            preds = out.logits.argmax(-1)
            for labels, pr in zip(batch["labels"].tolist(), preds.tolist()):
                keep = [(id2label[l], id2label[p]) for l, p in zip(labels, pr) if l != -100]
                y_true.append([t for t, _ in keep])
                y_pred.append([p for _, p in keep])
    model.train()
    return {"loss": loss_sum / max(n, 1), **entity_scores(y_true, y_pred)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "data", "mit_restaurant"))
    ap.add_argument("--tokenizer", default=os.path.join(ROOT, "data", "models", "bert-base-uncased"))
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--max-steps", type=int, default=-1, help="stop after this many updates (tests)")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    transformers.set_seed(args.seed)

    train = read_bio(os.path.join(args.data, "train.bio"))
    test = read_bio(os.path.join(args.data, "test.bio"))
    tags = sorted({t for _, ts in train + test for t in ts})
    labels = ["O"] + [t for t in tags if t != "O"]
    label2id = {l: i for i, l in enumerate(labels)}
    id2label = dict(enumerate(labels))
    tokenizer = BertTokenizerFast.from_pretrained(args.tokenizer)
    train_f = encode(tokenizer, train, label2id, 32)
    test_f = encode(tokenizer, test, label2id, 32)

    base = json.load(open(os.path.join(args.tokenizer, "config.json"), encoding="utf-8"))
    config = BertConfig(vocab_size=base["vocab_size"], hidden_size=128, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=512, num_labels=len(labels), id2label=id2label, label2id=label2id)
    model = BertForTokenClassification(config)
    no_decay = lambda n: "bias" in n or "norm" in n.lower()  # noqa: E731 (the Trainer's grouping: biases, LayerNorm)
    groups = [
        {"params": [p for n, p in model.named_parameters() if not no_decay(n)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if no_decay(n)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    batch_size = 16
    steps_per_epoch = math.ceil(len(train_f) / batch_size)
    total = steps_per_epoch * args.epochs if args.max_steps < 0 else args.max_steps
    scheduler = transformers.get_linear_schedule_with_warmup(optimizer, math.ceil(0.1 * total), total)
    rng = random.Random(args.seed)

    t_train = time.perf_counter()
    model.train()
    step, epochs = 0, []
    for epoch in range(1, args.epochs + 1):
        order = list(range(len(train_f)))
        rng.shuffle(order)
        for start in range(0, len(order), batch_size):
            batch = collate([train_f[i] for i in order[start:start + batch_size]])
            loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            if step >= total:
                break
        scores = evaluate(model, test_f, id2label, 32)
        epochs.append({"epoch": epoch, "step": step, **{k: round(v, 4) for k, v in scores.items()}})
        print(f"[twin] epoch {epoch}: f1 {scores['f1']:.4f} loss {scores['loss']:.4f}", file=sys.stderr, flush=True)
        if step >= total:
            break
    train_s = time.perf_counter() - t_train
    out = os.environ.get("NER_TWIN_OUTPUT")
    if out:  # the job's save, as ours writes its model at the end
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
    final = epochs[-1]
    print(json.dumps({**{k: final[k] for k in ("f1", "precision", "recall", "accuracy")},
                      "train_s": round(train_s, 2), "wall_s": round(time.perf_counter() - T0, 2), "epochs": epochs,
                      "torch": torch.__version__, "transformers": transformers.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
