"""Does PyTorch reproduce a ganpipe generator? Loads the module file and weights written by
`ganpipe export RUN --to W.safetensors --torch-module M.py`, runs G on the noise written by
`ganpipe sample RUN --to S.npy --noise-to Z.npy`, and prints the largest difference.

    .venv/bin/python export_check.py M.py W.safetensors Z.npy S.npy
"""
import importlib.util
import json
import sys

import numpy as np
import torch

module_path, weights, noise, samples = sys.argv[1:5]
spec = importlib.util.spec_from_file_location("ganpipe_model", module_path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
generator, discriminator = module.load(weights)
z = torch.from_numpy(np.load(noise))
ours = np.load(samples).reshape(len(z), -1)
with torch.no_grad():
    theirs = generator(z).numpy()
    discriminator(torch.from_numpy(ours))  # the critic loads and runs too
print(json.dumps({"samples": len(z), "max_abs_difference": float(np.abs(theirs - ours).max()),
                  "max_abs_value": float(np.abs(ours).max()), "torch": torch.__version__}))
