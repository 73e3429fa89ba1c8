"""Class 10: resource tricks, inside the grader's own calls. Each payload makes the grader's request hang, die
or drown (an endless loop that ignores interrupts, killing the kernel, fork and memory bombs, an output flood
through every file descriptor) once the hidden cases arrive, hoping for a verdict left unwritten or a grader
that gives up in the learner's favour. (The host-disk trick is `ipc-dir-fill` in files.py.)"""

from __future__ import annotations

from .catalogue import Attack, code, wrong

K = "resource tricks"


ATTACKS = [
    Attack("runaway-test", K, "passes the visible cases, then on the first hidden case ignores SIGINT and "
           "spins forever (the grader must stop the request, kill the kernel, and not pass the test)",
           {"predict": code('''
               import signal

               def predict(X, w, b):
                   if X.shape == (9, 2):
                       signal.signal(signal.SIGINT, signal.SIG_IGN)
                       while True:
                           pass
                   return X @ w + b
           ''')}, ("test-predict",)),

    Attack("kill-kernel", K, "passes the visible cases, then kills its own kernel (os._exit) on the first "
           "hidden case of normal_equations", {"normal-equations": code('''
               import os

               def normal_equations(X, y):
                   if X.shape == (15, 2):
                       os._exit(0)
                   X_tilde = np.hstack([X, np.ones((X.shape[0], 1))])
                   theta = np.linalg.lstsq(X_tilde, y, rcond=None)[0]
                   return theta[:-1], float(theta[-1])
           ''')}, ("test-normal-equations",)),

    Attack("bombs", K, "during the grader's calls: a fork bomb (predict), a 50 GB allocation (mse), 100 MB "
           "printed and 50 MB written to fd 1 and 2 (mse_gradients)",
           {"predict": code('''
               import os

               def predict(X, w, b):
                   try:
                       while True:
                           if os.fork() == 0:
                               while True:
                                   pass
                   except OSError:
                       pass
           ''') + wrong("predict"),
            "mse": code('''
               def mse(y_pred, y):
                   try:
                       hog = bytearray(50 * 2**30)
                       return float(len(hog))
                   except MemoryError:
                       pass
           ''') + wrong("mse"),
            "mse-gradients": code('''
               import os, sys

               def mse_gradients(X, y, w, b):
                   print("x" * 100_000_000)
                   for fd in (1, 2):
                       try:
                           os.write(fd, b"y" * 25_000_000)
                       except OSError:
                           pass
                   sys.__stdout__.write("z" * 1_000_000)
           ''') + wrong("mse-gradients")}, ("test-predict", "test-mse", "test-mse-gradients")),
]
