#!/usr/bin/python3
"""PyTorch peer of `npm run bench`: the same models, batches and update step, timed in PyTorch.

Runs under the bench's PyTorch 2.x venv (or `--python`; Debian's torch 1.13 only as a labelled fallback,
which has no `transformers`), so DistilBERT / BERT token classification are written here in plain
torch.nn with Hugging Face's layout and sizes: the same linear layers (same FLOPs), exact
(erf) GELU, LayerNorm eps 1e-12, dropout 0.1 in training, cross-entropy ignoring -100, gradient
clipping to 1.0 and torch.optim.AdamW with the HF Trainer's decay grouping (no decay on biases and
LayerNorm weights). Inference runs in eval mode under torch.no_grad(), as HF's pipeline does.

Input: one JSON object per line on stdin, {"bench": "train"|"infer", "model": {hf config.json},
"name": "...", "batch": 16, "seq": 32, "reps": 3, "num_labels": 9}. Output: one JSON object per job
on stdout, {"name", "bench", "batch", "seq", "ms_per_step" (median), "min_ms", "reps", "threads",
"torch"}. Threads: --threads N (torch.set_num_threads; OMP/OpenBLAS threads are set by the caller).
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, hidden, heads, dropout):
        super().__init__()
        self.heads = heads
        self.head_dim = hidden // heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, hidden)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask_bias):
        b, s, h = x.shape

        def split(t):  # [b, s, h] -> [b, heads, s, head_dim]
            return t.view(b, s, self.heads, self.head_dim).transpose(1, 2)

        q = split(self.q(x)) / math.sqrt(self.head_dim)
        k, v = split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) + mask_bias  # [b, heads, s, s]
        probs = self.dropout(scores.softmax(-1))
        ctx = (probs @ v).transpose(1, 2).reshape(b, s, h)
        return self.out(ctx)


class Layer(nn.Module):
    """Post-LayerNorm transformer block (DistilBERT's TransformerBlock = BERT's BertLayer)."""

    def __init__(self, hidden, heads, intermediate, dropout, attn_dropout, eps, attn_out_dropout):
        super().__init__()
        self.attention = SelfAttention(hidden, heads, attn_dropout)
        self.attn_norm = nn.LayerNorm(hidden, eps=eps)
        self.ffn_in = nn.Linear(hidden, intermediate)
        self.ffn_out = nn.Linear(intermediate, hidden)
        self.ffn_norm = nn.LayerNorm(hidden, eps=eps)
        self.dropout = nn.Dropout(dropout)
        # BERT drops out the attention output (BertSelfOutput); DistilBERT does not.
        self.attn_out_dropout = nn.Dropout(dropout if attn_out_dropout else 0.0)

    def forward(self, x, mask_bias):
        x = self.attn_norm(x + self.attn_out_dropout(self.attention(x, mask_bias)))
        return self.ffn_norm(x + self.dropout(self.ffn_out(F.gelu(self.ffn_in(x)))))


class TokenClassifier(nn.Module):
    def __init__(self, cfg, num_labels):
        super().__init__()
        bert = cfg["model_type"] == "bert"
        hidden = cfg["hidden_size"] if bert else cfg["dim"]
        layers = cfg["num_hidden_layers"] if bert else cfg["n_layers"]
        heads = cfg["num_attention_heads"] if bert else cfg["n_heads"]
        inter = cfg["intermediate_size"] if bert else cfg["hidden_dim"]
        dropout = cfg["hidden_dropout_prob"] if bert else cfg["dropout"]
        attn_dropout = cfg["attention_probs_dropout_prob"] if bert else cfg["attention_dropout"]
        eps = cfg.get("layer_norm_eps", 1e-12)
        self.words = nn.Embedding(cfg["vocab_size"], hidden, padding_idx=cfg.get("pad_token_id", 0))
        self.positions = nn.Embedding(cfg["max_position_embeddings"], hidden)
        self.token_types = nn.Embedding(cfg["type_vocab_size"], hidden) if bert else None
        self.emb_norm = nn.LayerNorm(hidden, eps=eps)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(Layer(hidden, heads, inter, dropout, attn_dropout, eps, bert) for _ in range(layers))
        self.classifier = nn.Linear(hidden, num_labels)
        for m in self.modules():  # HF init: normal(0, 0.02), zero biases
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=cfg.get("initializer_range", 0.02))
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask):
        s = input_ids.shape[1]
        x = self.words(input_ids) + self.positions(torch.arange(s).unsqueeze(0))
        if self.token_types is not None:
            x = x + self.token_types(torch.zeros_like(input_ids))
        x = self.dropout(self.emb_norm(x))
        mask_bias = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, mask_bias)
        return self.classifier(self.dropout(x))


def batch_of(batch, seq, num_labels):
    """The same deterministic full batch as bench/configs.ts fullBatch()."""
    ids = [[1000 + ((b * 31 + s * 17) % 20000) for s in range(seq)] for b in range(batch)]
    labels = [[(b + s) % num_labels for s in range(seq)] for b in range(batch)]
    return torch.tensor(ids), torch.ones(batch, seq, dtype=torch.long), torch.tensor(labels)


def run(job):
    torch.manual_seed(0)
    num_labels = job.get("num_labels", 9)
    model = TokenClassifier(job["model"], num_labels)
    ids, mask, labels = batch_of(job["batch"], job["seq"], num_labels)
    if job["bench"] == "train":
        no_decay = lambda n: n.endswith("bias") or "norm" in n  # noqa: E731 (HF: bias and LayerNorm.weight)
        groups = [
            {"params": [p for n, p in model.named_parameters() if not no_decay(n)], "weight_decay": 0.01},
            {"params": [p for n, p in model.named_parameters() if no_decay(n)], "weight_decay": 0.0},
        ]
        optimizer = torch.optim.AdamW(groups, lr=2e-5)
        model.train()

        def step():
            logits = model(ids, mask)
            loss = F.cross_entropy(logits.view(-1, num_labels), labels.view(-1), ignore_index=-100)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            return loss.item()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                return model(ids, mask).sum().item()

    step()  # warm-up (allocator, optimizer state)
    times = []
    for _ in range(job["reps"]):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return {"name": job["name"], "bench": job["bench"], "batch": job["batch"], "seq": job["seq"],
            "ms_per_step": statistics.median(times), "min_ms": min(times), "reps": job["reps"],
            "threads": torch.get_num_threads(), "torch": torch.__version__}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
