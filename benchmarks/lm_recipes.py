"""Training-recipe experiments for notebook 09's transformer (one run per process).

How notebook 09's recipe (learning rate 0.01, 100-step warm-up) was chosen; the runs and their
results are in benchmarks/notes/lm_recipes.md. Usage, from the repository root:
  .venv/bin/python benchmarks/lm_recipes.py --lr 0.01 --warmup 100 --lstm
Appends one JSON line per model to benchmarks/_runs/lm_recipes.jsonl and prints it.
Reproduces the notebook's data split (default_rng(0) permutation, 10% validation poems),
the bigram (smoothing 0.1) with the same vocabulary, and scores everything on
sample_windows(validation_ids, CONTEXT, 1000, seed=2).
"""

import argparse
import gzip
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
from keras import layers

from course_utils import data
from course_utils.lm import (
    CharTokenizer,
    TokenAndPositionEmbedding,
    TransformerBlock,
    bigram_log_probs,
    build_gpt,
    build_lstm_lm,
    matching_lstm_units,
    sample_windows,
)

p = argparse.ArgumentParser()
p.add_argument("--vocab", type=int, default=2000)
p.add_argument("--context", type=int, default=64)
p.add_argument("--d", type=int, default=64)
p.add_argument("--heads", type=int, default=4)
p.add_argument("--layers", type=int, default=2)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--steps", type=int, default=900)
p.add_argument("--lr", type=float, default=3e-3)
p.add_argument("--alpha", type=float, default=0.1)
p.add_argument("--warmup", type=int, default=0)
p.add_argument("--wd", type=float, default=0.01)
p.add_argument("--beta2", type=float, default=0.999)
p.add_argument("--clipnorm", type=float, default=0.0)
p.add_argument("--dropout", type=float, default=0.0)
p.add_argument("--init-seed", type=int, default=42)
p.add_argument("--window-seed", type=int, default=1)
p.add_argument("--lstm", action="store_true", help="also train the matching LSTM")
p.add_argument("--no-gpt", action="store_true")
p.add_argument("--tag", default="")
p.add_argument(
    "--curve", action="store_true", help="log running train loss every 100 steps (slows fit)"
)
args = p.parse_args()
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_runs", "lm_recipes.jsonl")
os.makedirs(os.path.dirname(RESULTS), exist_ok=True)

with gzip.open(data.verified_path("song_ci"), "rt", encoding="utf-8") as f:
    poems = f.read().splitlines()
order = np.random.default_rng(0).permutation(len(poems))
num_validation = len(poems) // 10
train_text = "\n".join(poems[i] for i in order[num_validation:]) + "\n"
validation_text = "\n".join(poems[i] for i in order[:num_validation]) + "\n"
tokenizer = CharTokenizer(train_text, args.vocab)
train_ids = tokenizer.encode(train_text)
validation_ids = tokenizer.encode(validation_text)
unigram = np.log(np.bincount(train_ids, minlength=args.vocab) / len(train_ids))
bigram = bigram_log_probs(train_ids, args.vocab)
x_val, y_val = sample_windows(validation_ids, args.context, 1000, seed=2)
bigram_window_loss = float(-bigram[x_val, y_val].mean())
x_train, y_train = sample_windows(
    train_ids, args.context, args.batch * args.steps, seed=args.window_seed
)


def build_gpt_dropout(vocab_size, context_length, d_model, num_heads, num_layers, rate):
    """build_gpt with Dropout after the embedding and after each block (variant for the test)."""
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    x = TokenAndPositionEmbedding(vocab_size, context_length, d_model, name="embedding")(ids)
    x = layers.Dropout(rate)(x)
    for i in range(num_layers):
        x = TransformerBlock(d_model, num_heads, name=f"block_{i}")(x)
        x = layers.Dropout(rate)(x)
    x = layers.LayerNormalization(name="final_norm")(x)
    return keras.Model(ids, layers.Dense(vocab_size, name="logits")(x))


def compile_variant(model):
    kernel, _ = model.layers[-1].get_weights()
    model.layers[-1].set_weights([kernel, np.maximum(unigram, -20).astype("float32")])
    if args.warmup:
        schedule = keras.optimizers.schedules.CosineDecay(
            0.0,
            args.steps - args.warmup,
            alpha=args.alpha,
            warmup_target=args.lr,
            warmup_steps=args.warmup,
        )
    else:
        schedule = keras.optimizers.schedules.CosineDecay(args.lr, args.steps, alpha=args.alpha)
    model.compile(
        optimizer=keras.optimizers.AdamW(
            schedule, weight_decay=args.wd, beta_2=args.beta2, clipnorm=args.clipnorm or None
        ),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def run(kind, model):
    compile_variant(model)
    start = time.perf_counter()
    curve = []
    log = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: (
            curve.append(round(float(logs["loss"]), 3)) if (b + 1) % 100 == 0 else None
        )
    )
    model.fit(
        x_train,
        y_train,
        batch_size=args.batch,
        epochs=1,
        verbose=0,
        callbacks=[log] if args.curve else [],
    )
    seconds = time.perf_counter() - start
    loss = float(model.evaluate(x_val, y_val, batch_size=200, verbose=0))
    row = {
        "kind": kind,
        "tag": args.tag,
        **{k: v for k, v in vars(args).items() if k not in ("lstm", "no_gpt", "tag")},
        "params": model.count_params(),
        "seconds": round(seconds, 1),
        "tokens_per_s": round(x_train.size / seconds),
        "passes": round(x_train.size / len(train_ids), 2),
        "val_loss": round(loss, 4),
        "bigram": round(bigram_window_loss, 4),
        "margin": round(bigram_window_loss - loss, 4),
        "unk_train": round(float((train_ids == 0).mean()), 4),
        "unk_val": round(float((validation_ids == 0).mean()), 4),
        "train_loss_every_100": curve,
    }
    print(json.dumps(row), flush=True)
    with open(RESULTS, "a") as f:
        f.write(json.dumps(row) + "\n")
    return model


keras.utils.set_random_seed(args.init_seed)
if args.dropout:
    gpt = build_gpt_dropout(args.vocab, args.context, args.d, args.heads, args.layers, args.dropout)
else:
    gpt = build_gpt(args.vocab, args.context, args.d, args.heads, args.layers)
gpt_params = gpt.count_params()
if not args.no_gpt:
    run("gpt", gpt)
if args.lstm:
    keras.utils.set_random_seed(args.init_seed)
    units = matching_lstm_units(gpt_params, args.vocab, args.d)
    run(f"lstm{units}", build_lstm_lm(args.vocab, args.d, units))
