"""The peer of bench/predict-job: what a Python team would write to score a table.
pandas reads the CSV, PyTorch predicts in batches of 1024 (no gradients, one thread, as maas's
job runs on one worker with one OpenMP thread), pandas writes the same columns as the job's
result with output "both": label, then one probability column per class (float64, as maas
writes doubles). The models have the architectures of the maas models bench/predict-job trains
(the wine MLP 13-64-3 and the digits CNN of bench/serve) with untrained weights: the arithmetic,
not the weights, sets the time. Inputs are standardized with the training table's mean and
standard deviation (the wine MLP) or scaled by 1/16 (the digits CNN), as maas's preprocessing does.

usage: /usr/bin/python3 peer.py mlp|cnn INPUT.csv OUTPUT.csv ROUNDS warm-up|timed TRAINING.csv TARGET
prints one line per round: peer KIND ROWS read_s infer_s write_s total_s rows_per_s (bench/predict-job
runs one timed round at a time, between the engine's and the job's, after one warm-up call)
"""
import sys, time
import numpy as np, pandas as pd, torch

kind, source, target_file, rounds, mode, training, target = sys.argv[1:8]
rounds = int(rounds)
torch.set_num_threads(1)
torch.manual_seed(0)

train = pd.read_csv(training).drop(columns=[target]).to_numpy(np.float32)
classes = 3 if kind == "mlp" else 10
if kind == "mlp":
    model = torch.nn.Sequential(
        torch.nn.Linear(train.shape[1], 64), torch.nn.ReLU(), torch.nn.Linear(64, classes))
    mean, std = train.mean(0), train.std(0) + 1e-8
    prepare = lambda x: (x - mean) / std
else:
    model = torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 8, 8)),
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 4 * 4, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, classes))
    prepare = lambda x: x / 16.0
model.eval()
labels = np.array([str(k) for k in range(classes)], dtype=object)

for r in range(rounds):
    t0 = time.perf_counter()
    frame = pd.read_csv(source)
    x = prepare(frame.to_numpy(np.float32)).astype(np.float32)
    t1 = time.perf_counter()
    probabilities = np.empty((len(x), classes), np.float32)
    with torch.no_grad():
        for i in range(0, len(x), 1024):
            logits = model(torch.from_numpy(x[i:i + 1024]))
            probabilities[i:i + 1024] = torch.softmax(logits, 1).numpy()
    t2 = time.perf_counter()
    out = pd.DataFrame({"label": labels[probabilities.argmax(1)]})
    wide = probabilities.astype(np.float64)
    for k in range(classes):
        out["probability_" + labels[k]] = wide[:, k]
    out.to_csv(target_file, index=False)
    t3 = time.perf_counter()
    print("peer %s %d %.2f %.2f %.2f %.2f %.0f"
          % (kind, len(x), t1 - t0, t2 - t1, t3 - t2, t3 - t0, len(x) / (t3 - t0)), flush=True)
