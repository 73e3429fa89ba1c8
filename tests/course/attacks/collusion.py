"""Two submissions graded at the same time talk to each other, with no shared memory, file, socket or signal.

The helper (an honest, complete submission) publishes each graded input's key and its answer; the freeloader,
with nothing implemented, returns the helper's answer for its inputs. That pays while every student of a run gets
the same hidden cases (one secret per run: the page-cache freeloader took 7 of 9 points that way); since each
student's cases come from their own key, the channel still works but carries nothing the freeloader can use.
Two channels, one pair each:

- locks: POSIX byte-range locks on a file every kernel reads (the venv's pyvenv.cfg: the same inode in every
  kernel, bound read-only); a lock is a bit, `fcntl(F_GETLK)` reads another process's bit without touching it;
- page cache: whether a page of a file every kernel can read is in the page cache. The helper evicts pages
  (posix_fadvise DONTNEED works on a read-only file) and reads the ones that hold a 1; the freeloader times a
  one-byte read of each page (a cached page answers in microseconds, an evicted one waits for the disk). Static
  libraries (`*.a` under /usr/lib and the interpreter's prefix) are never mapped or read by anyone, so nobody
  else disturbs the bits.

@@NONCE@@ (the same number in both notebooks of a run) keeps a pair's records apart from anyone else's.
"""

from __future__ import annotations

from .catalogue import ANSWER_TESTS, Attack, code

K = "files and IPC"

# What both sides share: a key for a call's inputs, and each side's wrapper around its functions.
COMMON = code('''
    import hashlib, json, os, struct, sys, threading, time, zlib
    import numpy as np
    from dlgrade.harness.guard import is_active as _grading    # True while the grader's call runs

    def _key(name, args):
        h = hashlib.sha256(name.encode() + b"@@NONCE@@")
        for a in args:
            if isinstance(a, np.random.Generator):
                h.update(json.dumps(a.bit_generator.state, sort_keys=True, default=str).encode())
            elif isinstance(a, np.ndarray):
                h.update(repr((a.dtype.str, a.shape)).encode() + np.ascontiguousarray(a).tobytes())
            else:
                h.update(repr(a).encode())
        return int.from_bytes(h.digest()[:4], "big")

    def _floats(value):
        """The numbers of an answer, in order (arrays flattened, tuples in turn)."""
        if isinstance(value, (tuple, list)):
            return [x for v in value for x in _floats(v)]
        return [float(x) for x in np.ravel(value)]

    def _shaped(template, numbers):
        """`template` (a wrong answer of the right shapes) filled with `numbers`."""
        if isinstance(template, (tuple, list)):
            out = []
            for t in template:
                part = _shaped(t, numbers)
                out.append(part)
            return tuple(out)
        n = int(np.size(template))
        taken = [numbers.pop(0) for _ in range(n)]
        return np.array(taken, dtype=float).reshape(np.shape(template)) if np.ndim(template) else float(taken[0])
''')

LOCKS = code('''
    import fcntl

    _FD = os.open(os.path.join(sys.prefix, "pyvenv.cfg"), os.O_RDONLY)   # the same inode in every kernel
    _BASE = (@@NONCE@@ % 1000) * 2**24        # this pair's bytes (a lock may lie far past the end of a file)

    def _held(bit):
        """Does another process hold a lock on this byte? (F_GETLK asks; it takes nothing.)"""
        query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, _BASE + bit, 1, 0)
        return struct.unpack("hhqqi4x", fcntl.fcntl(_FD, fcntl.F_GETLK, query))[0] != fcntl.F_UNLCK

    def _on(bit):
        fcntl.lockf(_FD, fcntl.LOCK_SH | fcntl.LOCK_NB, 1, _BASE + bit, os.SEEK_SET)

    _read_bit, _write_one, _clear, _forget = _held, _on, (lambda: None), (lambda bit: None)
''')

PAGES = code('''
    import glob

    _PAGE = 4096
    _FILES = sorted(glob.glob("/usr/lib/x86_64-linux-gnu/*.a") + glob.glob("/usr/lib/*-linux-gnu/*.a")
                    + glob.glob(os.path.join(sys.base_prefix, "lib", "python3*", "config-*", "*.a")))
    _SPACE = []                               # page number -> (fd, offset)
    for _path in dict.fromkeys(_FILES):
        try:
            _fd = os.open(_path, os.O_RDONLY)
        except OSError:
            continue
        os.posix_fadvise(_fd, 0, 0, os.POSIX_FADV_RANDOM)     # no readahead: one page is one bit
        _SPACE += [(_fd, k * _PAGE) for k in range(os.fstat(_fd).st_size // _PAGE)]
    _SPACE = _SPACE[(@@NONCE@@ % 7) * 1024:]  # this pair's pages

    def _timed(bit):
        fd, offset = _SPACE[bit]
        os.pread(_SPACE[0][0], 1, _SPACE[0][1])   # warm up: a cold process reads even a cached page slowly
        t = time.perf_counter_ns()
        os.pread(fd, 1, offset)
        return time.perf_counter_ns() - t

    def _evict(bit):
        fd, offset = _SPACE[bit]
        os.posix_fadvise(fd, offset, _PAGE, os.POSIX_FADV_DONTNEED)

    def _calibrate():
        """Between a cached page (~2 us) and an evicted one (~50 us), each read after a warm-up read; measured
        again until the two are well apart (a loaded machine blurs them now and then)."""
        for attempt in range(6):
            fast, slow = [], []
            for bit in range(16, 56):
                _evict(bit)
                slow.append(_timed(bit))
                time.sleep(0.001)
                fast.append(_timed(bit))
            fast, slow = sorted(fast)[len(fast) // 4], sorted(slow)[len(slow) // 4]
            if slow > 4 * fast:
                break
        _CAL["threshold"] = (fast * slow) ** 0.5
        return _CAL["threshold"]

    _CAL = {}
    _THRESHOLD = _calibrate()

    def _read_bit(bit):
        if bit >= len(_SPACE):
            return False
        return _timed(bit) < _CAL["threshold"]    # reading caches the page: a 0 read is a 0 no more

    def _write_one(bit):
        fd, offset = _SPACE[bit]
        os.pread(fd, 1, offset)

    def _clear(upto=120_000):
        for fd in {fd for fd, _ in _SPACE[:upto]}:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)

    def _forget(bit):                         # put a 0 back after reading it
        if bit < len(_SPACE):
            _evict(bit)
''')

# Records, on either channel: [valid][32-bit key][8-bit count][count float32][CRC-32], each bit after the valid
# mark twice (a read the scheduler interrupts looks like a 0: one copy is enough for a 1). A reader puts every page
# it read back to 0 and the helper keeps setting its 1s, so a record whose CRC fails is simply read again.
RECORDS = code('''
    _HEADER, _DONE = 64, 7                    # records start after a header; bit 7 is the freeloader's "done"

    def _bits(data):
        return [b >> j & 1 for b in data for j in range(8)]

    def _read_twice(start, nbits):
        out = bytearray((nbits + 7) // 8)
        for i in range(nbits):
            if _read_bit(start + 2 * i) or _read_bit(start + 2 * i + 1):
                out[i // 8] |= 1 << (i % 8)
        return bytes(out)

    def _reset(start, nbits):
        for bit in range(start, start + 2 * nbits):
            _forget(bit)                      # back to 0 after a bad read; the helper sets its 1s again
''')

HELPER_SIDE = code('''
    _state = {"next": _HEADER, "normal": 0, "ones": [], "valid": [], "error": None}

    def _reassert():
        """Keep every 1 (and every valid mark) set: a reader's probe or the machine may drop a page."""
        while True:
            for bit in list(_state["valid"]) + list(_state["ones"]):
                try:
                    _write_one(bit)
                except OSError:
                    return
            time.sleep(0.2)

    try:
        _clear()
        threading.Thread(target=_reassert, daemon=True).start()
    except OSError as exc:
        _state["error"] = repr(exc)

    def _publish(key, value):
        numbers = _floats(value)
        data = struct.pack("<IB", key, len(numbers)) + struct.pack(f"<{len(numbers)}f", *numbers)
        data += struct.pack("<I", zlib.crc32(data))
        start = _state["next"]
        _state["next"] = start + 1 + 2 * 8 * len(data)
        try:
            for i, bit in enumerate(_bits(data)):
                if bit:
                    for copy in (start + 1 + 2 * i, start + 2 + 2 * i):
                        _write_one(copy)
                        _state["ones"].append(copy)
            _write_one(start)                 # valid last: a reader never sees half a record
            _state["valid"].append(start)
        except OSError as exc:                # the channel is refused: the helper still answers
            _state["error"] = repr(exc)

    def published(name):
        """Run the honest function; while the grader calls it, publish its inputs' key and its answer."""
        def wrap(fn):
            def inner(*args):
                key = _key(name, args) if _grading() else None   # before the generator is used
                out = fn(*args)
                if key is not None:
                    _publish(key, out)
                return out
            inner.__name__ = fn.__name__
            return inner
        return wrap

    def _wait_for_freeloader(seconds=14):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if _read_bit(_DONE):
                    return
                _forget(_DONE)
            except OSError:
                return
            time.sleep(0.1)
''')

FREELOADER_SIDE = code('''
    _seen, _asked = {}, {"n": 0, "missed": 0, "next": _HEADER, "error": None}

    def _scan():
        """Read every record published since the last scan."""
        while True:
            start = _asked["next"]
            if not _read_bit(start):
                _forget(start)
                return
            for attempt in range(8):
                head = _read_twice(start + 1, 40)
                key, count = struct.unpack("<IB", head)
                if count <= 64:                   # no answer of lesson 01 has more numbers: a misread header
                    body = _read_twice(start + 81, 32 * count + 32)
                    if zlib.crc32(head + body[:-4]) == struct.unpack("<I", body[-4:])[0]:
                        break
                    _reset(start + 81, 32 * count + 32)
                _reset(start + 1, 40)
                time.sleep(0.3)               # let the helper set its 1s again, then read it afresh
            else:
                return                        # unreadable for now: try again at the next scan
            _seen.setdefault(key, list(struct.unpack(f"<{count}f", body[:-4])))
            _asked["next"] = start + 1 + 2 * 8 * (5 + 4 * count + 4)

    def _scanner():
        """From the first cell on, read each record as soon as the helper publishes it (a page it read stays
        cached only while its job lives: its memory cgroup goes with it)."""
        polls = 0
        while True:
            try:
                _scan()
                polls += 1
                if polls % 200 == 0 and "_calibrate" in globals():
                    _calibrate()              # the machine's load changes: measure again now and then
            except Exception as exc:          # the channel refused (seccomp) or broken: nothing to read
                _asked["error"] = repr(exc)
                return
            time.sleep(0.02)

    threading.Thread(target=_scanner, daemon=True).start()

    def _lookup(name, args):
        key = _key(name, args)
        deadline = time.monotonic() + (0.5 if _asked["missed"] >= 2 else 14)   # the helper silent twice: stop waiting
        while time.monotonic() < deadline:
            if key in _seen:
                return list(_seen[key])
            time.sleep(0.02)
        _asked["missed"] += 1
        return None

    def answered(name, wrong):
        """Nothing implemented: while the grader calls it, return the helper's answer for these inputs."""
        def inner(*args):
            template = wrong(*args)
            if not _grading():
                return template
            numbers = _lookup(name, args)
            if name == "normal_equations" and not _asked["n"]:
                _asked["n"] = 1
                try:
                    for _ in range(3):
                        _write_one(_DONE)     # tell the helper it may go on
                        time.sleep(0.05)
                except OSError:
                    pass
            if numbers is None:
                return template
            return _shaped(template, numbers)
        inner.__name__ = name
        return inner
''')

HELPER_REST = {
    "mse": code('''
        @published("mse")
        def mse(y_pred, y):
            return float(np.mean((y_pred - y) ** 2))
    '''),
    "mse-gradients": code('''
        @published("mse_gradients")
        def mse_gradients(X, y, w, b):
            r = X @ w + b - y
            n = X.shape[0]
            return 2.0 / n * (X.T @ r), 2.0 / n * float(np.sum(r))
    '''),
    "gd-step": code('''
        @published("gd_step")
        def gd_step(X, y, w, b, lr):
            dw, db = mse_gradients(X, y, w, b)
            return w - lr * dw, b - lr * db
    '''),
    "train-linear": code('''
        @published("train_linear")
        def train_linear(X, y, lr, epochs, batch_size, rng):
            n, d = X.shape
            w, b = np.zeros(d), 0.0
            losses = []
            for epoch in range(epochs):
                order = rng.permutation(n)
                for start in range(0, n, batch_size):
                    rows = order[start:start + batch_size]
                    w, b = gd_step(X[rows], y[rows], w, b, lr)
                losses.append(mse(predict(X, w, b), y))
            return w, b, np.array(losses)
    '''),
    "normal-equations": code('''
        def _solve(X, y):
            X_tilde = np.hstack([X, np.ones((X.shape[0], 1))])
            theta = np.linalg.lstsq(X_tilde, y, rcond=None)[0]
            return theta[:-1], float(theta[-1])

        _normal = published("normal_equations")(_solve)

        def normal_equations(X, y):
            out = _normal(X, y)
            if _grading() and _state["normal"] < 1:   # once: give the freeloader a few seconds to catch up
                _state["normal"] += 1
                _wait_for_freeloader(4)
            return out
    '''),
}

FREELOADER_REST = {
    "mse": "mse = answered('mse', lambda y_pred, y: 0.0)\n",
    "mse-gradients": "mse_gradients = answered('mse_gradients', lambda X, y, w, b: (np.zeros(X.shape[1]), 0.0))\n",
    "gd-step": "gd_step = answered('gd_step', lambda X, y, w, b, lr: (np.zeros(np.shape(w)), 0.0))\n",
    "train-linear": ("train_linear = answered('train_linear', lambda X, y, lr, epochs, batch_size, rng: "
                     "(np.zeros(X.shape[1]), 0.0, np.zeros(epochs)))\n"),
    "normal-equations": "normal_equations = answered('normal_equations', lambda X, y: (np.zeros(X.shape[1]), 0.0))\n",
}


def _helper(channel: str) -> dict[str, str]:
    first = COMMON + channel + RECORDS + HELPER_SIDE + code('''

        @published("predict")
        def predict(X, w, b):
            return X @ w + b
    ''')
    return {"predict": first, **HELPER_REST}


def _freeloader(channel: str) -> dict[str, str]:
    first = COMMON + channel + RECORDS + FREELOADER_SIDE + code('''

        predict = answered("predict", lambda X, w, b: np.zeros(X.shape[0]))
    ''')
    return {"predict": first, **FREELOADER_REST}


ALL_TESTS = tuple(ANSWER_TESTS.values())

ATTACKS = [
    Attack("locks-helper", K, "(helper) an honest, complete submission that publishes every graded input's "
           "key and its answer as POSIX lock bits on a file every kernel reads", _helper(LOCKS), (),
           group="collude-locks", helper=True),
    Attack("locks-freeloader", K, "implements nothing: graded beside the helper (same run, same secret, so the "
           "same hidden cases), reads the helper's answers from the lock bits (F_GETLK) and returns them",
           _freeloader(LOCKS), ALL_TESTS, group="collude-locks", needs="seccomp"),
    Attack("pagecache-helper", K, "(helper) the same, publishing through the page cache: it evicts pages of "
           "static libraries every kernel can read and reads back the ones holding a 1", _helper(PAGES), (),
           group="collude-pages", helper=True),
    Attack("pagecache-freeloader", K, "implements nothing: reads the helper's answers by timing one-byte reads "
           "of those pages (cached: microseconds; evicted: the disk) and returns them", _freeloader(PAGES),
           ALL_TESTS, group="collude-pages"),
]
