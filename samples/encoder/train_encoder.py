"""Trains the sample encoder (a LeNet-like CNN) on MNIST and exports it to mnist_lenet.onnx.

    bash samples/data/fetch.sh && /usr/bin/python3 samples/encoder/train_encoder.py [--check]

Needs Debian's torch and numpy:  apt-get install -y python3-torch python3-numpy
(--check also uses python3-onnx when installed, and onnxruntime when importable.)
The ONNX contract (input, outputs, value range) is in samples/encoder/README.md.
"""

import argparse
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.dont_write_bytecode = True  # no __pycache__ folder in the samples tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_data  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ONNX_PATH = os.path.join(HERE, "mnist_lenet.onnx")
SEED = 0
EPOCHS = 2
BATCH = 128
LR = 1e-3
OPSET = 13
# The usual MNIST mean and standard deviation of pixel / 255 over the training set.
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


class Normalise(nn.Module):
    """Maps raw pixels in [0, 255] (what ML.NET's ExtractPixels gives with its defaults) to
    (pixel / 255 - mean) / std inside the graph, so no caller has to know the constants."""

    def __init__(self):
        super().__init__()
        self.register_buffer("scale", torch.tensor(1.0 / (255.0 * MNIST_STD)))
        self.register_buffer("shift", torch.tensor(-MNIST_MEAN / MNIST_STD))

    def forward(self, x):
        return x * self.scale + self.shift


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.normalise = Normalise()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2),   # 28 -> 24 -> 12
            nn.Conv2d(32, 64, 5), nn.ReLU(), nn.MaxPool2d(2),  # 12 -> 8 -> 4
        )
        self.fc = nn.Linear(64 * 4 * 4, 128)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        h = self.features(self.normalise(x))
        embedding = torch.relu(self.fc(torch.flatten(h, 1)))
        return embedding, self.head(embedding)


def as_input(images):
    """uint8 (n, 28, 28) -> float32 (n, 1, 28, 28) with raw values 0..255, the ONNX input."""
    return torch.from_numpy(images.astype(np.float32)).unsqueeze(1)


def train(model, x, y):
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    rng = np.random.default_rng(SEED)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.from_numpy(rng.permutation(len(x)))
        start, total = time.time(), 0.0
        for i in range(0, len(x), BATCH):
            idx = order[i : i + BATCH]
            _, logits = model(x[idx])
            loss = nn.functional.cross_entropy(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}/{EPOCHS}: loss {total / len(x):.4f}, {time.time() - start:.0f} s", flush=True)


@torch.no_grad()
def predict(model, x):
    model.eval()
    outs = [model(x[i : i + 1000]) for i in range(0, len(x), 1000)]
    return torch.cat([o[0] for o in outs]), torch.cat([o[1] for o in outs])


def export(model):
    model.eval()
    torch.onnx.export(
        model,
        torch.zeros(1, 1, 28, 28),
        ONNX_PATH,
        input_names=["input"],
        output_names=["embedding", "logits"],
        dynamic_axes={"input": {0: "batch"}, "embedding": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=OPSET,
        do_constant_folding=True,
    )
    print(f"wrote {os.path.relpath(ONNX_PATH)} ({os.path.getsize(ONNX_PATH)} bytes, opset {OPSET})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="verify the exported ONNX gives the torch model's outputs on 256 test images")
    args = parser.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)

    train_images, train_labels = mnist_data.load_split("mnist", "train")
    test_images, test_labels = mnist_data.load_split("mnist", "t10k")
    x_train, y_train = as_input(train_images), torch.from_numpy(train_labels.astype(np.int64))
    x_test = as_input(test_images)

    model = LeNet()
    train(model, x_train, y_train)
    _, logits = predict(model, x_test)
    accuracy = (logits.argmax(1).numpy() == test_labels).mean()
    print(f"MNIST test accuracy: {accuracy:.4f} ({int(round(accuracy * len(test_labels)))}/{len(test_labels)})")
    export(model)

    if args.check:
        import onnx_check
        embedding, logits = predict(model, x_test[:256])
        onnx_check.check(ONNX_PATH, x_test[:256].numpy(), embedding.numpy(), logits.numpy())


if __name__ == "__main__":
    main()
