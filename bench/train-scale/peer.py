"""PyTorch / scikit-learn peer of bench/train-scale: trains one workload from the files that
TrainScale --generate wrote (little-endian float32 features and targets, row i is test when
i % 5 == 4) with the same architecture, optimizer, batch size and epochs as maas, and prints
  peer NAME rows metric value seconds peak_rss_mb cpu_s
Usage: peer.py DATA_DIR WORKLOAD THREADS. Run with /usr/bin/python3 (Debian's python3-torch,
python3-sklearn)."""
import resource, sys, time
import numpy as np, torch
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score

D, W, T = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.manual_seed(0); np.random.seed(0); torch.set_num_threads(T)
SHAPES = {"mlp": (100,), "cnn": (1, 28, 28), "lstm": (50, 8), "linear": (50,), "logistic": (50,)}
rows = int(open(f"{D}/{W}.rows").read())
X = np.fromfile(f"{D}/{W}.x", dtype="<f4").reshape(rows, -1)
y = np.fromfile(f"{D}/{W}.y", dtype="<f4")
te = np.arange(rows) % 5 == 4
Xtr, Xte, ytr, yte = X[~te], X[te], y[~te], y[te]
del X

# maas standardizes every input value with the training rows' mean and deviation inside its timed
# training call, grouped as its Standardizer does: per feature of a vector, per feature of a
# sequence (shared by its steps), per channel of an image (shared by its pixels; one channel here).
# So does the peer, and it times its own standardizing (STD_S, added to each timing).
def standardize():
    global Xtr
    t, c = time.perf_counter(), time.process_time()
    if W == "cnn":
        m, s = Xtr.mean(), Xtr.std() + 1e-8
    elif W == "lstm":
        f = Xtr.reshape(len(Xtr), 50, 8)
        m, s = np.tile(f.mean((0, 1)), 50), np.tile(f.std((0, 1)) + 1e-8, 50)
    else:
        m, s = Xtr.mean(0), Xtr.std(0) + 1e-8
    Xtr = (Xtr - m) / s
    return time.perf_counter() - t, time.process_time() - c, m, s

STD_S, STD_CPU, MEAN, SCALE = standardize()
Xte = (Xte - MEAN) / SCALE

def fit_torch(model, loss, epochs, bs):
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    t = time.perf_counter(); c = time.process_time()
    Xt, yt = torch.from_numpy(Xtr), torch.from_numpy(ytr.astype(np.int64))
    for e in range(epochs):
        perm = torch.randperm(len(Xt))
        for i in range(0, len(Xt), bs):
            idx = perm[i:i + bs]; opt.zero_grad(); l = loss(model(Xt[idx]), yt[idx]); l.backward(); opt.step()
    return time.perf_counter() - t, time.process_time() - c

class Seq(torch.nn.Module):
    def __init__(s): super().__init__(); s.rnn = torch.nn.LSTM(8, 32, batch_first=True); s.out = torch.nn.Linear(32, 10)
    def forward(s, x): h, _ = s.rnn(x.view(-1, 50, 8)); return s.out(h[:, -1])

if W in ("mlp", "cnn", "lstm"):
    if W == "mlp":
        model = torch.nn.Sequential(torch.nn.Linear(100, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)); ep, bs = 3, 128
    elif W == "cnn":
        model = torch.nn.Sequential(torch.nn.Unflatten(1, (1, 28, 28)), torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                    torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                    torch.nn.Linear(16 * 7 * 7, 10)); ep, bs = 2, 64
    else:
        model = Seq(); ep, bs = 2, 64
    dt, cpu = fit_torch(model, torch.nn.CrossEntropyLoss(), ep, bs)
    with torch.no_grad(): value = float((model(torch.from_numpy(Xte)).argmax(1).numpy() == yte).mean())
    metric = "accuracy"
elif W == "linear":
    t, c = time.perf_counter(), time.process_time(); model = LinearRegression().fit(Xtr, ytr); dt, cpu = time.perf_counter() - t, time.process_time() - c
    metric, value = "r2", r2_score(yte, model.predict(Xte))
else:
    t, c = time.perf_counter(), time.process_time(); model = LogisticRegression(max_iter=1000).fit(Xtr, ytr); dt, cpu = time.perf_counter() - t, time.process_time() - c
    metric, value = "accuracy", float((model.predict(Xte) == yte).mean())
dt, cpu = dt + STD_S, cpu + STD_CPU
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print("peer %s %d %s %.4f %.3f %.0f %.3f" % (W, rows, metric, value, dt, peak, cpu))
