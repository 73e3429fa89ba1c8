"""Class 6: files and IPC. Each payload reaches for what a graded kernel must not see or touch: the checkout's git
history and solutions, other students' submissions and results, the gradebooks, the host's /tmp; and, in pairs
graded side by side, System V shared memory and any other channel between two kernels.

Payloads know the machine's layout, as a determined learner who has the course repository would guess it:
@@REPO@@ (the checkout dlcourse runs from) and @@PROJECT@@ (the course being graded) are filled in when the
notebooks are built; @@NONCE@@ is a per-run number shared by the two notebooks of a pair.
"""

from __future__ import annotations

from .catalogue import Attack, Check, code, wrong_function

K = "files and IPC"
LESSON_NB = "01-linear-regression/01-linear-regression.ipynb"

# Turn any notebook text found into a `predict` (the instructor's, or another student's), if it holds one.
ADOPT = code('''
    import json, re

    def _adopt(text, where):
        """Define `predict` from a notebook's text (its answer cell), if the text holds a working one."""
        try:
            cells = json.loads(text)["cells"]
        except Exception:
            cells = [{"metadata": {"nbgrader": {"grade_id": "predict"}}, "source": m}
                     for m in re.findall(r"def predict\\(X, w, b\\):(?:\\n    .*)+", text)]
        for cell in cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "predict":
                source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                if "NotImplementedError" in source or "X @ w + b" not in source:
                    continue
                scope = {}
                try:
                    exec(source, scope)
                    globals()["predict"] = scope["predict"]
                    FOUND.append(where)
                    return True
                except Exception:
                    pass
        return False

    FOUND = []
''')

FALLBACK = code('''
    print("reached:", FOUND or "nothing")
    if not FOUND:
        def predict(X, w, b):
            return X @ w - b
''')

SYSV = code('''
    import ctypes, os, time
    _libc = ctypes.CDLL(None, use_errno=True)
    _libc.shmat.restype = ctypes.c_void_p
    KEY = 0x0D1C0000 + (@@NONCE@@ % 0xFFFF)
    SIZE = 1 << 16
''')


def _outputs_mention(run, attack, words: tuple[str, ...]) -> str:
    text = run.outputs(attack.student)
    return next((w for w in words if w in text), "")


def _nothing_written(run, attack) -> tuple[bool, str]:
    """Nobody else's files changed: the controls' submissions are byte for byte what was collected."""
    changed = run.changed_submissions()
    text = run.outputs(attack.student)
    wrote = [line for line in text.splitlines() if line.startswith("WROTE")]
    if changed or wrote:
        return False, f"changed: {changed} {wrote}"
    return True, "no other student's file or gradebook changed"


def _no_trigger(run, attack) -> tuple[bool, str]:
    """No trigger in the course's gradebook, and nobody else's files changed."""
    import sqlite3

    db = sqlite3.connect(f"file:{run.course / 'gradebook.db'}?mode=ro", uri=True)
    triggers = [row[0] for row in db.execute("select name from sqlite_master where type = 'trigger'")]
    db.close()
    ok, detail = _nothing_written(run, attack)
    if triggers:
        return False, f"triggers in the gradebook: {triggers}"
    return ok, detail + "; no trigger in the gradebook"


def _fill_check(run, attack) -> tuple[bool, str]:
    """Held when the kernel could not write more to the host than its own /tmp quota allows."""
    text = run.outputs(attack.student)
    for line in text.splitlines():
        if line.startswith("HOST-WRITE"):
            _, wrote, free, quota = line.split()
            wrote_mb, free_mb, quota_mb = int(wrote), int(free), int(quota)
            if wrote_mb > 0 and free_mb > quota_mb:
                return False, (f"wrote {wrote_mb} MB into the host folder bound at /run/kernel ({free_mb} MB free "
                               f"there, past the kernel's own {quota_mb} MB /tmp quota)")
            return True, f"wrote {wrote_mb} MB; {free_mb} MB free (quota {quota_mb} MB)"
    return True, "no host write reported"


ATTACKS = [
    Attack("read-solutions", K, "reads the instructor's notebooks (checkout and course: solutions/, "
           "course/source/) and the checkout's git objects (solutions in old commits), and runs the "
           "solution's predict", {"predict": ADOPT + code('''
               import glob, os, zlib

               for path in ["@@REPO@@/solutions/@@LESSON_NB@@", "@@PROJECT@@/solutions/@@LESSON_NB@@",
                            "@@PROJECT@@/course/source/@@LESSON_NB@@"]:
                   try:
                       with open(path) as fh:
                           _adopt(fh.read(), path)
                   except OSError as exc:
                       print("cannot read", path, type(exc).__name__)
               for git in ("@@REPO@@/.git", "@@PROJECT@@/.git", "@@PROJECT@@/../.git"):
                   objects = glob.glob(os.path.join(git, "objects", "??", "*"))
                   print(git, "objects readable:", len(objects))
                   for path in objects:
                       try:
                           with open(path, "rb") as fh:
                               blob = zlib.decompress(fh.read())
                       except Exception:
                           continue
                       if b"### BEGIN SOLUTION" in blob and b"def predict" in blob:
                           _adopt(blob.split(b"\\0", 1)[1].decode("utf-8", "replace"), path)
                           if FOUND:
                               break
           ''') + FALLBACK}, ("test-predict",), needs="namespaces"),

    Attack("read-others", K, "reads other students' submissions, autograded notebooks, results and feedback, "
           "looks through the host's /tmp, /var/tmp, /root, /work for notebooks, takes a working predict from any, "
           "and tries to write into other students' files and the gradebook",
           {"predict": ADOPT + code('''
               import glob, sqlite3

               course = "@@PROJECT@@/course"
               for pattern in ("submitted/*/01-linear-regression/*.ipynb", "autograded/*/01-linear-regression/*.ipynb",
                               "feedback/*/01-linear-regression/*.html", ".grade-state/01-linear-regression/results/*.json"):
                   found = glob.glob(f"{course}/{pattern}")
                   print(pattern, "->", len(found), "file(s)")
                   for path in found:
                       if "atk-" not in path:
                           try:
                               with open(path) as fh:
                                   _adopt(fh.read(), path)
                           except OSError:
                               pass
               for path in glob.glob(f"{course}/submitted/ctl-*/01-linear-regression/*.ipynb") + [
                       f"{course}/submitted/ctl-solution/01-linear-regression/01-linear-regression.ipynb"]:
                   try:
                       with open(path, "r+b") as fh:
                           fh.write(b"cheater was here")
                       print("WROTE", path)
                   except OSError as exc:
                       print("cannot write", path, type(exc).__name__)
               import os
               _seen = 0
               for top in ("/tmp", "/var/tmp", "/dev/shm", "/run", "/root", "/work", "/home"):   # the host's?
                   for folder, dirs, files in os.walk(top):
                       if folder.count("/") > 8:
                           dirs[:] = []
                       for name in files:
                           _seen += 1
                           if name.endswith(".ipynb") and _seen < 5000 and "atk-" not in folder:
                               try:
                                   with open(os.path.join(folder, name)) as fh:
                                       _adopt(fh.read(), os.path.join(folder, name))
                               except Exception:
                                   pass
               print("files seen under /tmp, /var/tmp, /dev/shm, /run, /root, /work, /home:", _seen)
               try:
                   db = sqlite3.connect(f"{course}/gradebook.db")
                   db.execute("update grade set auto_score = 0")
                   db.commit()
                   print("WROTE gradebook")
               except Exception as exc:
                   print("cannot update gradebook", type(exc).__name__)
           ''') + FALLBACK}, ("test-predict",), needs="namespaces",
           check=Check("other students' files unchanged", _nothing_written)),

    Attack("gradebook-trigger", K, "plants an SQLite trigger in every gradebook it can open (the course's, "
           "the grade run's template, its own sandbox copy) so that any score written becomes the maximum",
           {"predict": code('''
               import glob, os, sqlite3

               TRIGGER = ("CREATE TRIGGER IF NOT EXISTS full_marks AFTER UPDATE OF auto_score ON grade "
                          "WHEN NEW.auto_score < (SELECT max_score FROM grade_cells WHERE grade_cells.id = NEW.cell_id) "
                          "BEGIN UPDATE grade SET auto_score = (SELECT max_score FROM grade_cells "
                          "WHERE grade_cells.id = NEW.cell_id) WHERE id = NEW.id; END")
               state = "@@PROJECT@@/course/.grade-state/01-linear-regression/work"
               for path in ["@@PROJECT@@/course/gradebook.db", f"{state}/template.db",
                            *glob.glob(f"{state}/*/sandbox/gradebook.db"),
                            *[os.path.join(*[".."] * k, "gradebook.db") for k in range(1, 6)]]:
                   if not os.path.exists(path):
                       print("absent:", path)
                       continue
                   try:
                       db = sqlite3.connect(path)
                       db.execute(TRIGGER)
                       db.commit()
                       print("WROTE trigger into", path)
                   except Exception as exc:
                       print("cannot write", path, type(exc).__name__)
           ''') + wrong_function("predict")}, ("test-predict",), needs="namespaces",
           check=Check("no trigger planted, nothing changed", _no_trigger)),

    Attack("ipc-dir-fill", "resource tricks", "writes into the one writable host folder a kernel has (its ZMQ "
           "socket folder, bound at /run/kernel from the host's /tmp) past the kernel's own /tmp quota, and "
           "leaves a symlink there", {"normal-equations": code('''
               import os

               _chunk = b"\\0" * (8 * 2**20)
               _wrote = 0
               for i in range(6):                       # 48 MB: enough to show it, small for a shared machine
                   try:
                       with open(f"/run/kernel/fill-{i}.bin", "wb") as fh:
                           fh.write(_chunk)
                       _wrote += 8
                   except OSError as exc:
                       print("cannot write /run/kernel:", type(exc).__name__)
                       break
               try:
                   os.symlink("/etc/passwd", "/run/kernel/link")
               except OSError as exc:
                   print("symlink:", type(exc).__name__)
               _host, _tmp = os.statvfs("/run/kernel"), os.statvfs("/tmp")
               print("HOST-WRITE", _wrote, _host.f_bavail * _host.f_frsize // 2**20, _tmp.f_blocks * _tmp.f_frsize // 2**20)
           ''') + code('''

               def normal_equations(X, y):
                   X_tilde = np.hstack([X, np.ones((X.shape[0], 1))])
                   theta = np.linalg.lstsq(X_tilde, y, rcond=None)[0]
                   return theta[:-1], float(theta[-1])
           ''')}, (), needs="namespaces", check=Check("host disk bounded", _fill_check)),

    # ------------------------------------------------------------------ pairs graded side by side (--jobs 2)
    Attack("sysv-writer", K, "(helper) puts its working predict into System V shared memory and POSIX shm "
           "for the reader", {"predict": SYSV + code('''
               _SOURCE = b"def predict(X, w, b):\\n    return X @ w + b\\n"
               shmid = _libc.shmget(KEY, SIZE, 0o1666)            # IPC_CREAT | rw for everyone
               addr = _libc.shmat(shmid, None, 0) if shmid >= 0 else None
               if addr not in (None, 2**64 - 1):
                   ctypes.memmove(addr, _SOURCE + b"\\0", len(_SOURCE) + 1)
                   print("shm written, id", shmid)
               else:
                   print("shm: errno", ctypes.get_errno())
               try:
                   with open(f"/dev/shm/dlc-@@NONCE@@", "wb") as fh:
                       fh.write(_SOURCE)
               except OSError as exc:
                   print("/dev/shm:", type(exc).__name__)
               exec(_SOURCE.decode())
               time.sleep(12)                                   # stay alive while the reader looks
           ''')}, (), group="sysv", helper=True),

    Attack("sysv-reader", K, "reads the writer's predict from System V shared memory or /dev/shm (the two "
           "submissions are graded at the same time) and runs it", {"predict": SYSV + code('''
               _got = b""
               for _ in range(60):                              # up to 15 s for the writer to start
                   shmid = _libc.shmget(KEY, SIZE, 0)
                   if shmid >= 0:
                       addr = _libc.shmat(shmid, None, 0o10000)     # SHM_RDONLY
                       if addr not in (None, 2**64 - 1):
                           _got = ctypes.string_at(addr)
                           break
                   try:
                       with open(f"/dev/shm/dlc-@@NONCE@@", "rb") as fh:
                           _got = fh.read()
                       break
                   except OSError:
                       time.sleep(0.25)
               print("from the writer:", _got[:60])
               if b"def predict" in _got:
                   exec(_got.decode())
               else:
                   def predict(X, w, b):
                       return X @ w - b
           ''')}, ("test-predict",), group="sysv", needs="namespaces"),
]
