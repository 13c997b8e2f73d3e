"""Plateau study: many seeds of the demo's pretraining recipe at once, in PyTorch on a GPU, to measure how often and
how early a run leaves the MLM loss plateau (about 5.9 nats, accuracy ~14%) under each variant of the recipe.

Why: on the 2-core CPU one 10-minute run is one sample, and whether a run leaves the plateau varies from seed to
seed (2 of 6 runs of the demo recipe did). Choosing a recipe by one seed per cell is choosing by luck. A GPU runs a
replica of the same recipe in a few seconds, so each variant gets many seeds.

What is replicated (configs/run/demo.conf over configs/train/cpu-short.conf and configs/arch/mini.conf):
  - the model: crammed-bert `mini` (pre-norm, GLU, no Linear biases, scaled sinusoidal or learned positions,
    embedding and final LayerNorm, tied bias-free sparse decoder), normal(0, init-std) initialisation;
  - the data: the demo's prepared shard, read in its stored (curriculum) order and wrapping each epoch; the last
    `--eval-rows` rows held out, as the platform does;
  - masking: exactly round(rate * 128) positions per row, 80% [MASK] (id 4), 10% a random id in [5, V), 10% kept
    (`keep` and `random` change the last two; held-out rows are always masked 80/10/10, as the platform does);
  - the optimizer: AdamW (0.9, 0.98, 1e-12), weight decay 0.01 on matrices, global-norm clipping 0.5;
  - the schedule and batch ramp, driven by the budget fraction t. The platform's t is wall-clock; here it is the
    fraction of a token budget (`--tokens`, 28M by default: what the 2-core CPU trains in 10 minutes in bf16), which
    is the same thing at a steady throughput;
  - bf16 autocast for the matrix products, float32 master weights.
What is not: the random streams (masks and initial weights differ from the platform's for the same seed), so the
study compares rates over seeds, not single runs.

A run "leaves the plateau" at the first step (after t = 0.05) where its mean training loss over the last 100 steps
drops below --exit-loss (5.4). Every run ends with the held-out loss of the platform's evaluator: the last
`--eval-rows` rows, masked with one fixed seed, mean cross-entropy over the masked positions.

usage: python3 plateau_study.py --shard shard-00000.bin --out results.jsonl --seeds 8 --procs 12 \
           --variant base: --variant init06:init_std=0.06 --variant trap:schedule=one-cycle-trapezoidal ...
A variant is NAME:key=value,key=value over the defaults below (DEFAULTS). Prints a summary table at the end.
A benchmark and research tool only; no test of the project depends on it.
"""
import argparse
import json
import math
import multiprocessing as mp
import os
import sys
import time

import numpy as np

DEFAULTS = dict(
    hidden=128, layers=2, heads=2, inter=512, init_std=0.02, positions="scaled-sinusoidal",
    lr=5e-3, schedule="budget-triangle", warmup=0.0, batch=64, micro=32, ramp=0.6, mask_rate=0.25, keep=0.1, random=0.1,
    tokens=28_000_000, wd=0.01, clip=0.5,
)
MASK_ID, FIRST_ORDINARY = 4, 5
HELD_OUT_SEED = 20_231_228


def read_shard(path):
    raw = open(path, "rb").read()
    if raw[:8] != b"CJSHARD\0":
        sys.exit(f"{path}: not a Cramjet shard (magic bytes differ)")
    _version, vocab, seq, token_bytes = np.frombuffer(raw[8:24], "<i4")
    rows = int(np.frombuffer(raw[24:32], "<i8")[0])
    dtype = "<u2" if token_bytes == 2 else "<i4"
    data = np.frombuffer(raw[64:], dtype)
    if data.size != rows * seq:
        sys.exit(f"{path}: header promises {rows} rows of {seq} tokens, payload holds {data.size} ids")
    return data.reshape(rows, seq).astype(np.int64), int(vocab), int(seq)


def curve(name, t):
    if name == "budget-triangle":
        return min(0.25 + t, 4.0 * (1.0 - t))
    if name == "budget-cosine":
        return 0.5 * (1.0 + math.cos(math.pi * t))
    if name == "budget-linear":
        return 1.0 - t
    if name == "one-cycle-triangular":
        return 2.0 * t if t <= 0.5 else 2.0 * (1.0 - t)
    if name == "one-cycle-trapezoidal":
        return t / 0.1 if t < 0.1 else ((1.0 - t) / 0.2 if t > 0.8 else 1.0)
    if name == "constant":
        return 1.0
    raise ValueError(f"unknown schedule {name}")


def multiplier(name, warmup, t):
    t = min(1.0, max(0.0, t))
    return t / warmup * curve(name, warmup) if t < warmup else curve(name, t)


def micro_batches(target, micro, ramp, t):
    n = target // micro
    if t >= ramp:
        return n
    if t <= 0:
        return 1
    return max(1, min(1 + int(math.floor((n - 1) * t / ramp)), n - 1))


def build_model(torch, nn, F, cfg, vocab, seq):
    h, nh = cfg["hidden"], cfg["heads"]

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1 = nn.LayerNorm(h, eps=1e-12)
            self.qkv = nn.Linear(h, 3 * h, bias=False)
            self.proj = nn.Linear(h, h, bias=False)
            self.norm2 = nn.LayerNorm(h, eps=1e-12)
            self.up = nn.Linear(h, cfg["inter"], bias=False)
            self.down = nn.Linear(cfg["inter"] // 2, h, bias=False)

        def forward(self, x):
            b, t, _ = x.shape
            q, k, v = self.qkv(self.norm1(x)).view(b, t, 3, nh, h // nh).permute(2, 0, 3, 1, 4)
            x = x + self.proj(F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, t, h))
            value, gate = self.up(self.norm2(x)).chunk(2, dim=-1)
            return x + self.down(F.gelu(gate) * value)

    class Mlm(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, h)
            if cfg["positions"] == "learned":
                self.pos = nn.Parameter(torch.empty(seq, h))
            else:
                p = torch.arange(seq, dtype=torch.float32)[:, None]
                freq = torch.exp(torch.arange(0, h, 2, dtype=torch.float32) * (-math.log(10000.0) / h))
                table = torch.zeros(seq, h)
                table[:, 0::2], table[:, 1::2] = torch.sin(p * freq), torch.cos(p * freq)
                self.register_buffer("table", table)
                self.pos_scale = nn.Parameter(torch.tensor(1.0 / math.sqrt(h)))
            self.embed_norm = nn.LayerNorm(h, eps=1e-12)
            self.blocks = nn.ModuleList(Block() for _ in range(cfg["layers"]))
            self.final_norm = nn.LayerNorm(h, eps=1e-12)
            for name, w in self.named_parameters():
                if w.dim() == 2:
                    nn.init.normal_(w, std=cfg["init_std"])

        def forward(self, ids, flat_positions):
            pos = self.pos if cfg["positions"] == "learned" else self.table * self.pos_scale
            x = self.embed_norm(self.embed(ids) + pos)
            for blk in self.blocks:
                x = blk(x)
            x = self.final_norm(x).reshape(-1, h)[flat_positions]
            return F.linear(x, self.embed.weight)

    return Mlm()


def mask_rows(torch, ids, k, vocab, gen, keep=0.1, random=0.1):
    b, t = ids.shape
    dev = ids.device
    cols = torch.rand(b, t, generator=gen, device=dev).argsort(dim=1)[:, :k].sort(dim=1).values
    flat = (cols + torch.arange(b, device=dev)[:, None] * t).reshape(-1)
    labels = ids.reshape(-1)[flat]
    u = torch.rand(flat.shape, generator=gen, device=dev)
    random_ids = torch.randint(FIRST_ORDINARY, vocab, flat.shape, generator=gen, device=dev)
    to_mask = 1.0 - keep - random
    replaced = torch.where(u < to_mask, torch.full_like(labels, MASK_ID),
                           torch.where(u < to_mask + random, random_ids, labels))
    inputs = ids.reshape(-1).clone()
    inputs[flat] = replaced
    return inputs.view(b, t), flat, labels


def train_one(job, shard_rows, eval_rows, exit_loss):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    name, cfg, seed = job["name"], job["cfg"], job["seed"]
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    data, vocab, seq = shard_rows
    rows = torch.from_numpy(data).to(dev)
    train_rows, held = rows[:-eval_rows], rows[-eval_rows:]
    n_train = train_rows.shape[0]
    torch.manual_seed(seed)
    model = build_model(torch, nn, F, cfg, vocab, seq).to(dev)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg["wd"]}, {"params": rest, "weight_decay": 0.0}],
                            lr=cfg["lr"], betas=(0.9, 0.98), eps=1e-12, fused=dev.type == "cuda")
    gen = torch.Generator(device=dev)
    gen.manual_seed(1000 + seed)
    k = int(round(cfg["mask_rate"] * seq))
    micro = cfg["micro"]
    budget_rows = cfg["tokens"] // seq
    amp = dict(device_type=dev.type, dtype=torch.bfloat16)
    consumed, cursor, step = 0, 0, 0
    window_loss, window_acc, window_n = torch.zeros((), device=dev), torch.zeros((), device=dev), 0
    curve_points, exit_at, recent = [], None, []
    started = time.time()
    while consumed < budget_rows:
        t = consumed / budget_rows
        n_micro = micro_batches(cfg["batch"], micro, cfg["ramp"], t)
        lr = cfg["lr"] * multiplier(cfg["schedule"], cfg["warmup"], t)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        for _ in range(n_micro):
            idx = (torch.arange(cursor, cursor + micro, device=dev)) % n_train
            cursor += micro
            inputs, flat, labels = mask_rows(torch, train_rows[idx], k, vocab, gen, cfg["keep"], cfg["random"])
            with torch.autocast(**amp):
                logits = model(inputs, flat)
            loss = F.cross_entropy(logits.float(), labels)
            (loss / n_micro).backward()
            window_loss += loss.detach() / n_micro
            window_acc += (logits.argmax(-1) == labels).float().mean().detach() / n_micro
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
        opt.step()
        consumed += n_micro * micro
        step += 1
        window_n += 1
        if window_n == 100:
            mean_loss, mean_acc = (window_loss / 100).item(), (window_acc / 100).item()
            if not math.isfinite(mean_loss):
                break
            t_now = consumed / budget_rows
            curve_points.append([step, round(t_now, 4), round(mean_loss, 4), round(mean_acc, 4)])
            if exit_at is None and t_now > 0.05 and mean_loss < exit_loss:
                exit_at = {"step": step, "t": round(t_now, 4)}
            window_loss.zero_(), window_acc.zero_()
            window_n = 0
    # The platform's held-out evaluation: fixed masks, batches of 32, mean over all masked positions.
    model.eval()
    eval_gen = torch.Generator(device=dev)
    eval_gen.manual_seed(HELD_OUT_SEED)
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for start in range(0, held.shape[0], 32):
            inputs, flat, labels = mask_rows(torch, held[start:start + 32], k, vocab, eval_gen)
            with torch.autocast(**amp):
                logits = model(inputs, flat).float()
            total += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += (logits.argmax(-1) == labels).sum().item()
            count += labels.numel()
    return {"variant": name, "seed": seed, "cfg": cfg, "steps": step, "tokens": consumed * seq,
            "final_train_loss": curve_points[-1][2] if curve_points else None,
            "held_out_loss": round(total / count, 4), "held_out_accuracy": round(correct / count, 4),
            "exit": exit_at, "seconds": round(time.time() - started, 1), "curve": curve_points}


def worker(jobs, results, shard, eval_rows, exit_loss):
    shard_rows = read_shard(shard)  # once per process, not once per run
    while True:
        job = jobs.get()
        if job is None:
            return
        try:
            results.put(train_one(job, shard_rows, eval_rows, exit_loss))
        except Exception as e:  # a failed run is reported, not fatal to the study
            results.put({"variant": job["name"], "seed": job["seed"], "error": repr(e)})


def parse_variant(spec):
    name, _, rest = spec.partition(":")
    cfg = dict(DEFAULTS)
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if key not in DEFAULTS:
            sys.exit(f"variant {name}: unknown key '{key}'; expected one of {', '.join(DEFAULTS)}")
        cfg[key] = type(DEFAULTS[key])(float(value)) if isinstance(DEFAULTS[key], (int, float)) else value
    return name, cfg


def summarize(results, exit_loss):
    by = {}
    for r in results:
        by.setdefault(r["variant"], []).append(r)
    print(f"\n| variant | runs | left the plateau (loss < {exit_loss}) | median exit t | median held-out | "
          "held-out range | median steps |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, rs in by.items():
        ok = [r for r in rs if "error" not in r]
        if not ok:
            print(f"| {name} | {len(rs)} | failed: {rs[0]['error']} | | | | |")
            continue
        exits = sorted(r["exit"]["t"] for r in ok if r["exit"])
        held = sorted(r["held_out_loss"] for r in ok)
        med = lambda xs: xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2
        print(f"| {name} | {len(ok)} | {len(exits)} of {len(ok)} | {med(exits) if exits else '-'} | "
              f"{med(held):.3f} | {held[0]:.3f}..{held[-1]:.3f} | {med(sorted(r['steps'] for r in ok))} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shard", required=True)
    ap.add_argument("--out", required=True, help="JSON lines, one per run")
    ap.add_argument("--variant", action="append", required=True, help="NAME:key=value,...")
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--procs", type=int, default=8, help="runs in parallel (processes sharing the GPU)")
    ap.add_argument("--eval-rows", type=int, default=256)
    ap.add_argument("--exit-loss", type=float, default=5.4)
    ap.add_argument("--deadline", type=float, default=1e9, help="seconds after which no new run is started")
    a = ap.parse_args()
    variants = [parse_variant(v) for v in a.variant]
    ctx = mp.get_context("spawn")
    jobs_q, results_q = ctx.Queue(), ctx.Queue()
    jobs = [{"name": n, "cfg": c, "seed": s} for s in range(1, a.seeds + 1) for n, c in variants]
    procs = [ctx.Process(target=worker, args=(jobs_q, results_q, a.shard, a.eval_rows, a.exit_loss))
             for _ in range(a.procs)]
    for p in procs:
        p.start()
    started, sent, results = time.time(), 0, []
    for _ in range(min(a.procs, len(jobs))):
        jobs_q.put(jobs[sent])
        sent += 1
    with open(a.out, "w") as out:
        while len(results) < sent:
            r = results_q.get()
            results.append(r)
            out.write(json.dumps(r) + "\n")
            out.flush()
            brief = r.get("error") or f"held-out {r['held_out_loss']} exit {r['exit']} {r['steps']} steps {r['seconds']}s"
            print(f"[{time.time() - started:6.0f}s] {len(results)}/{len(jobs)} {r['variant']} seed {r['seed']}: {brief}",
                  flush=True)
            if sent < len(jobs) and time.time() - started < a.deadline:
                jobs_q.put(jobs[sent])
                sent += 1
    for _ in procs:
        jobs_q.put(None)
    for p in procs:
        p.join()
    summarize(results, a.exit_loss)


if __name__ == "__main__":
    main()
