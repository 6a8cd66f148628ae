"""Train the small pretrained DCGAN generator shipped as data/gan_generator.keras.

Run with `make pretrained-gan`. It trains the course DCGAN of notebook 07 with the code the notebook
exports to ``course_utils.gan`` (``build_generator()`` with 64-d noise, ``build_discriminator()``,
Adam 2e-4 / beta_1 0.5 for both, one-sided label smoothing 0.1, batch size 32, ``train_and_score``)
for 40 epochs on the 8,000 bundled MNIST training digits,
with fixed seeds and TensorFlow's deterministic ops, then measures its Fréchet distance in the
feature space of the notebook's small digit classifier (1,000 generated vs 1,000 real test digits)
next to the real-vs-real baseline (1,000 real training vs the same 1,000 test digits), and
saves the generator. Usage::

    python scripts/train_gan_generator.py [--epochs 40] [--seed 0] [--out data/gan_generator.keras]

Numbers vary a little between machines and library versions (floating-point order); on one
machine and setup the run is repeatable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "gan_generator.keras")
    args = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    from course_utils import data, gan

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    (x_train, y_train), (x_test, y_test) = data.load_mnist("bundled")
    train_images, test_images = gan.preprocess_images(x_train), gan.preprocess_images(x_test)

    classifier, history = gan.train_feature_classifier(
        train_images, y_train, test_images, y_test, epochs=3
    )
    print(
        f"feature classifier: validation accuracy {history.history['val_accuracy'][-1]:.3f}",
        flush=True,
    )
    scorer = gan.FrechetScorer(
        gan.feature_extractor(classifier), test_images, num_samples=1000, seed=args.seed
    )
    baseline = scorer.score_images(train_images[:1000])

    start = time.perf_counter()
    result = gan.train_and_score(
        train_images,
        scorer,
        generator=gan.build_generator(),
        discriminator=gan.build_discriminator(),
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
    )
    seconds = time.perf_counter() - start  # train_and_score printed one line per epoch
    generator = result["generator"]
    spread = gan.class_spread(
        classifier, gan.generate_images(generator, gan.latent_batch(1000, seed=7))
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    generator.save(args.out)
    summary = {
        "epochs": len(result["frechet"]),
        "batch_size": args.batch_size,
        "seed": args.seed,
        "train_seconds": round(seconds, 1),
        "frechet_final": round(result["frechet"][-1], 2),
        "frechet_real_vs_real": round(baseline, 2),
        "classifier_confidence": round(spread["confidence"], 3),
        "class_spread": round(spread["spread"], 3),
        "bytes": args.out.stat().st_size,
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
