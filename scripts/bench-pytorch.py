"""The original FocusLiteNN method in PyTorch, as a baseline for `npm run bench:scan` (not part of the app or tests).

Decodes level 0 of a pyramidal TIFF with Pillow (libtiff/libjpeg-turbo), cuts every 235x235 patch at stride 128
and scores it with FocusLiteNN (Conv2d 3->1 7x7 stride 5 pad 1, min over the map) on torch's CPU backend, in
batches, as the reference code does for an image; prints one JSON line with the timings. Needs Debian's
python3-torch and python3-pil (`apt-get install python3-torch python3-pil`, run with /usr/bin/python3).

usage: /usr/bin/python3 scripts/bench-pytorch.py SLIDE.tif WEIGHTS.json [THREADS]
"""
import json
import sys
import time

import torch
from PIL import Image

Image.MAX_IMAGE_PIXELS = None


class FocusLiteNN(torch.nn.Module):
    def __init__(self, kernels):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, kernels, kernel_size=7, stride=5, padding=1, bias=True)
        self.fc = torch.nn.Linear(kernels, 1) if kernels > 1 else None

    def forward(self, x):
        y = self.conv(x)
        # Min pooling over the whole map, written as the reference code writes it.
        y = -torch.nn.functional.max_pool2d(-y, kernel_size=y.shape[2:]).flatten(1)
        return self.fc(y) if self.fc is not None else y


def main():
    slide, weights_path = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    torch.set_num_threads(threads)
    w = json.load(open(weights_path))
    model = FocusLiteNN(w["kernels"])
    with torch.no_grad():
        model.conv.weight.copy_(torch.tensor(w["convWeight"]).reshape(w["kernels"], 3, 7, 7))
        model.conv.bias.copy_(torch.tensor(w["convBias"]))
    model.eval()

    t0 = time.perf_counter()
    image = Image.open(slide)
    image.seek(0)
    rgb = image.convert("RGB")
    width, height = rgb.size
    pixels = torch.frombuffer(bytearray(rgb.tobytes()), dtype=torch.uint8).reshape(height, width, 3)
    del rgb
    t1 = time.perf_counter()

    xs = list(range(0, width - 235 + 1, 128))
    ys = list(range(0, height - 235 + 1, 128))
    scores = []
    with torch.no_grad():
        for y in ys:
            # One row of patches per batch: (cols, 3, 235, 235), value / 255, channels first.
            strip = pixels[y : y + 235].permute(2, 0, 1).float().div_(255)
            batch = torch.stack([strip[:, :, x : x + 235] for x in xs])
            scores.append(model(batch).flatten())
    t2 = time.perf_counter()
    count = sum(len(s) for s in scores)
    megapixels = width * height / 1e6
    print(json.dumps({
        "slide": slide, "width": width, "height": height, "patches": count, "threads": threads,
        "decodeSeconds": round(t1 - t0, 2), "modelSeconds": round(t2 - t1, 2), "totalSeconds": round(t2 - t0, 2),
        "megapixelsPerSecond": round(megapixels / (t2 - t0), 1), "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
