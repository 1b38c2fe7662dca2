#!/usr/bin/env python3
"""The measuring half of `make bench` (tests/bench/bench.sh runs it).

    bench.py run PHASE --n N --rows FILE     (inside tests/bench/ns.sh)
    bench.py realxen-rows --rows FILE        XBENCH lines (stdin) -> rows
    bench.py report --out FILE ROWS...       table + results.json

PHASE is one of
  main         assignable-add, assignable-remove -r, attach, detach of
               0000:07:00.0 (guest 5 for attach), by xl and by the agent
               three ways; N timed rounds after one warm-up round, the
               tools in turn (A B C D, then B C D A, ...) so that machine
               noise hits all of them
  single-1     one assignable-add (and -remove -r) of 07:00.0 while one
               other device is on pciback; xl and raw in turn
  single-256   the same with 256 other devices on pciback
  batch        256 assignable-adds written at once (one transaction),
               then 256 assignable-removes -r at once, end to end; and
               xl's way to do the same, 256 runs in a row
  guests       256 VFs made assignable (one transaction of 256 requests)
               and then attached 4 per guest to 64 PV guests (one
               transaction of 256 attach requests), end to end: the
               issue's "< 5 s" (the agent only: xl 4.17's pci-attach of
               these VFs fails on the simulated host with libxl's
               rc -16 in device_pci_add_done, not looked into)
  cost         what the agent spends (rows with metric/value/target):
               CPU per request (utime+stime from /proc over N rounds of
               BENCH_CPU_PAIRS add/remove -r pairs), system calls in
               BENCH_IDLE_SECONDS (10) of idling (strace -f), and RSS at
               the start and end of BENCH_RSS_REQUESTS requests

  realxen      (make bench REALXEN=1; tests/bench/realxen.sh) one boot
               of Xen 4.17 in QEMU, tests/realxen/scen-bench.sh: the
               same four ops by xl and the agent on a real PV guest, in
               turn; rows with "world": "realxen" (the others have
               "world": "sim").  Tools: xl (xl started -> xl exited),
               agent (request written -> final status), xl-backend and
               agent-backend (the same runs, until the backend reached
               the op's end: attach, state 4 and vdev-N for the device;
               detach, the device gone from the backend; assignable-*,
               the driver changed); after_backend_*: how long after that
               point xl exited or the agent's status arrived;
               poll_median_ms: one round of dom0's poll loop, the
               resolution of both times.  The
               -backend rows' ratio_to_xl is to xl-backend.  No
               xenstore trace in dom0: xs_requests is null.

Tools: xl (the whole `xl` process), xen-pci (the whole CLI process),
raw (one transaction with the fields and op last, then a watch on
status: request written -> final status, in the long-lived requester
bench-client), libxenpci (xenpci_call() in bench-client: submit, wait,
remove).  xl-exported: xl pci-attach returns once it has written the
backend; xl-exported is the same run up to the moment pciback exported
the device (vdev-0 written, seen through a watch), where the agent's
attach answers ok.

xenstore requests per op come from xenstored's trace (cxenstored's -T
file or oxenstored's access log, whichever simhost started): bench-client
reads /bench/mark/<label> before and after each op (after the trace has
been quiet for a moment, so that work done after the answer counts), and
every request line between the two marks is counted, split into
  tool       xl, or the agent
  requester  the CLI process or bench-client (0 for xl)
  peer       simpeer (pciback and the guest's pcifront)
"""
import json
import math
import os
import statistics
import subprocess
import sys
import time

BDF = "0000:07:00.0"
SHORT = "07:00.0"
DOMID = "5"
R = "/local/domain/0/pci-agent"
BE = "/local/domain/0/backend/pci/5"
XL = os.environ.get("XL", "/usr/lib/xen-4.17/bin/xl")
BIN = os.environ.get("BENCH_BIN", "build/bin")
# xl's hypervisor: libsimxen.so, as the agent's, then xl's start-up shim
XL_ENV = dict(os.environ,
              LD_PRELOAD=os.environ.get("SIMXEN_PRELOAD", "") + " " +
              os.environ.get("BENCH_XL_SHIM", ""))
TOOLS = ["xl", "xen-pci", "raw", "libxenpci"]

# op -> (xl argv, xen-pci argv, request fields)
OPS = {
    "assignable-add": (["pci-assignable-add", SHORT],
                       ["assignable-add", SHORT],
                       "assignable-add spec=" + SHORT),
    "assignable-remove -r": (["pci-assignable-remove", "-r", SHORT],
                             ["assignable-remove", "-r", SHORT],
                             "assignable-remove spec=%s rebind=1" % SHORT),
    "attach": (["pci-attach", DOMID, SHORT],
               ["attach", DOMID, SHORT],
               "attach domid=%s spec=%s" % (DOMID, SHORT)),
    "detach": (["pci-detach", DOMID, SHORT],
               ["detach", DOMID, SHORT],
               "detach domid=%s spec=%s" % (DOMID, SHORT)),
}


def die(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.exit(1)


# oxenstored's access log (tools/ocaml/xenstored/logging.ml,
# string_of_access_type): "[date] CONN[.TID] OP DATA"; OP is one or two
# words.  Requests are the Xenbus ops; "error" and "w event" are
# answers, the others are the daemon's own bookkeeping.
OX_OPS = {"directory": "DIRECTORY", "read": "READ", "getperms": "GET_PERMS",
          "watch": "WATCH", "unwatch": "UNWATCH",
          "t start": "TRANSACTION_START", "t end": "TRANSACTION_END",
          "introduce": "INTRODUCE", "release": "RELEASE",
          "getdomain": "GET_DOMAIN_PATH", "is introduced": "IS_INTRODUCED",
          "resume": "RESUME", "write": "WRITE", "mkdir": "MKDIR",
          "rm": "RM", "setperms": "SET_PERMS",
          "reset watches": "RESET_WATCHES", "settarget": "SET_TARGET",
          "debug": "DEBUG"}
OX_SKIP = ("newconn", "endconn", "error", "w event", "w notfired",
           "coalesce", "conflict", "commit", "invalid")


def parse_trace_line(ln):
    """One line of either xenstored's trace: ("create", conn) for a new
    connection, ("in", conn, TYPE, path, token) for a request, None for
    anything else.  cxenstored -T writes "CREATE connection C" and
    "IN C date TYPE (path token )"."""
    if ln.startswith("CREATE connection "):
        return ("create", ln.split(" ")[2])
    if ln.startswith("IN "):
        w = ln.split(" ")
        if len(w) < 6:
            return None
        return ("in", w[1], w[4], w[5].lstrip("("),
                w[6] if len(w) > 6 else "")
    if not ln.startswith("["):
        return None
    w = ln[ln.find("]") + 1:].split()
    if len(w) < 2:
        return None
    # a request inside a transaction is logged as CONN.TID
    conn = w[0].split(".")[0]
    if w[1] == "newconn":
        return ("create", conn)
    two = " ".join(w[1:3])
    if two in OX_OPS or two in OX_SKIP:
        op, data = two, w[3:]
    else:
        op, data = w[1], w[2:]
    if op not in OX_OPS:
        return None
    return ("in", conn, OX_OPS[op], data[0] if data else "",
            data[1] if len(data) > 1 else "")


class Client:
    """bench-client: one command line in, one answer line out."""

    def __init__(self):
        self.p = subprocess.Popen([os.path.join(BIN, "bench-client")],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        if self.p.stdout.readline().strip() != "ready":
            die("bench-client did not start")

    def cmd(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        ans = self.p.stdout.readline().split()
        if not ans or ans[0] != "ok":
            die("bench-client %s: %s" % (line[:80], " ".join(ans)))
        return ans[1:]

    def close(self):
        self.p.stdin.write("quit\n")
        self.p.stdin.close()
        self.p.wait()


class Trace:
    """Counts the requests xenstored traced between two marks."""

    def __init__(self, path):
        self.path = path
        self.f = open(path, errors="replace") if os.path.exists(path) else None
        # connection -> "peer" (simpeer) or "requester" (bench-client,
        # the CLI); any other connection is the tool's (agent or xl)
        self.role = {}
        self.created = set()    # connections created since the last mark
        self.buf = ""
        if self.f:
            self._scan(self._lines(), None)

    def _lines(self):
        self.buf += self.f.read()
        lines = self.buf.split("\n")
        self.buf = lines.pop()
        return lines

    def _scan(self, lines, window):
        """Follow the connections; with window (a dict), count the IN
        lines between the start and end marks.  True once the end mark
        was seen."""
        for ln in lines:
            ev = parse_trace_line(ln)
            if ev is None:
                continue
            if ev[0] == "create":
                self.role.pop(ev[1], None)
                self.created.add(ev[1])
                continue
            conn, typ, arg, token = ev[1:]
            if typ == "WATCH" and token.startswith("simpeer-"):
                self.role[conn] = "peer"
            # libxenpci's watches, on a connection of their own
            if typ == "WATCH" and token.startswith("xenpci-"):
                self.role[conn] = "requester"
            if arg.startswith("/bench/mark/"):
                self.role[conn] = "requester"
                if window is not None:
                    window["@" + ("end" if arg.endswith("-end")
                                  else "start")] = True
                continue
            if window is None or "@start" not in window or "@end" in window:
                continue
            # the CLI: a new connection that writes the request
            if typ == "WRITE" and conn in self.created and \
                    "/pci-agent/requests/" in arg:
                self.role.setdefault(conn, "requester")
            window[conn] = window.get(conn, 0) + 1
        return window is not None and "@end" in window

    def quiet(self, ms=40, cap=3.0):
        """Wait until the trace has not grown for ms (the agent's and the
        peer's work after the answer belongs to the op)."""
        if not self.f:
            time.sleep(0.02)
            return
        last, since, t_end = -1, time.monotonic(), time.monotonic() + cap
        while time.monotonic() < t_end:
            size = os.path.getsize(self.path)
            if size != last:
                last, since = size, time.monotonic()
            elif time.monotonic() - since >= ms / 1000:
                return
            time.sleep(0.005)

    def count(self, cl, fn):
        """Run fn between two marks; return (fn's result, counts)."""
        if not self.f:
            return fn(), None
        self._scan(self._lines(), None)
        self.created = set()
        label = "m%d" % time.monotonic_ns()
        cl.cmd("mark %s-start" % label)
        res = fn()
        self.quiet()
        cl.cmd("mark %s-end" % label)
        window = {}
        # The end mark is in the file once bench-client has answered;
        # a trace that never shows it (a format this parser does not
        # read) must stop the run, not hang it.
        t_end = time.monotonic() + 60
        while not self._scan(self._lines(), window):
            if time.monotonic() > t_end:
                die("%s: no end mark %s-end in 60 s" % (self.path, label))
            time.sleep(0.005)
        c = {"tool": 0, "requester": 0, "peer": 0}
        for conn, n in window.items():
            if conn.startswith("@"):
                continue
            c[self.role.get(conn, "tool")] += n
        c["total"] = c["tool"] + c["requester"] + c["peer"]
        return res, c


def driver(bdf):
    try:
        return os.path.basename(os.readlink(
            os.path.join(os.environ["SYSFS_ROOT"], "bus/pci/devices", bdf,
                         "driver")))
    except OSError:
        return "none"


def run_tool(cl, tool, op):
    """One op by one tool; milliseconds."""
    xl_argv, cli_argv, fields = OPS[op]
    if tool == "xl":
        t0 = time.perf_counter_ns()
        r = subprocess.run([XL] + xl_argv, env=XL_ENV,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t1 = time.perf_counter_ns()
        if r.returncode:
            die("xl %s: exit %d: %s" % (" ".join(xl_argv), r.returncode,
                                       r.stderr.decode()[-300:]))
        if op != "attach":
            return (t1 - t0) / 1e6
        # xl returns once the backend is written; the agent answers once
        # pciback exported the device: both, from one run
        cl.cmd("exists %s/0/vdev-0 10000" % BE)
        return (t1 - t0) / 1e6, (time.perf_counter_ns() - t0) / 1e6
    if tool == "xen-pci":
        t0 = time.perf_counter_ns()
        r = subprocess.run([os.path.join(BIN, "xen-pci")] + cli_argv,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode:
            die("xen-pci %s: exit %d: %s" % (" ".join(cli_argv),
                                            r.returncode, r.stderr.decode()))
        return (time.perf_counter_ns() - t0) / 1e6
    ans = cl.cmd(("raw " if tool == "raw" else "lib ") + fields)
    if ans[0] != "ok":
        die("%s %s: status %s" % (tool, op, ans[0]))
    return int(ans[1]) / 1000


def settle(cl, op):
    """Untimed: the state every tool starts the next op from."""
    if op == "assignable-add" and driver(BDF) != "pciback":
        die("after assignable-add %s is on %s" % (BDF, driver(BDF)))
    if op == "assignable-remove -r" and driver(BDF) != "igb":
        die("after assignable-remove -r %s is on %s" % (BDF, driver(BDF)))
    if op == "attach":
        cl.cmd("wait %s/0/state 4 10000" % BE)     # the guest connected
        cl.cmd("exists %s/0/vdev-0 10000" % BE)
    if op == "detach":
        cl.cmd("gone %s 10000" % BE)
        if driver(BDF) != "pciback":
            die("after detach %s is on %s" % (BDF, driver(BDF)))


class Rows:
    def __init__(self):
        self.samples = {}   # (op, tool) -> [ms]
        self.counts = {}    # (op, tool) -> [counts]
        self.order = []
        self.metrics = []

    def add(self, op, tool, ms, counts):
        k = (op, tool)
        if k not in self.samples:
            self.order.append(k)
            self.samples[k], self.counts[k] = [], []
        self.samples[k].append(ms)
        if counts:
            self.counts[k].append(counts)

    def metric(self, op, metric, values, target, cmp):
        """A row of what the agent spends: values (None: not measured),
        the target and how the median compares to it."""
        self.metrics.append({"op": op, "tool": "agent", "metric": metric,
                             "values": values, "target": target,
                             "cmp": cmp})

    def dump(self, path, phase):
        out = [dict(m, phase=phase) for m in self.metrics]
        for op, tool in self.order:
            s = self.samples[(op, tool)]
            c = self.counts[(op, tool)]
            row = {"op": op, "tool": tool, "n": len(s), "phase": phase,
                   "samples_ms": [round(x, 3) for x in s]}
            for f in ("total", "tool", "requester", "peer"):
                row["xs_" + f] = [x[f] for x in c] if c else None
            out.append(row)
        with open(path, "w") as f:
            json.dump(out, f)


def timed(rows, tr, cl, op, tool, warm=False):
    ms, counts = tr.count(cl, lambda: run_tool(cl, tool, op))
    if warm:
        pass
    elif isinstance(ms, tuple):
        # xl-exported: the same run, with bench-client's wait for vdev-0
        rows.add(op, "xl-exported", ms[1], counts)
        if counts:
            counts = dict(counts, requester=0,
                          total=counts["total"] - counts["requester"])
        rows.add(op, tool, ms[0], counts)
    else:
        rows.add(op, tool, ms, counts)
    settle(cl, op)


def phase_main(n, rows, tr, cl):
    # every tool starts from the same state: 07:00.0 on igb, guest 5
    # running with no PCI backend
    for i in range(n + 1):
        for tool in TOOLS[i % 4:] + TOOLS[:i % 4]:
            for op in ("assignable-add", "assignable-remove -r"):
                timed(rows, tr, cl, op, tool, warm=i == 0)
    cl.cmd("lib " + OPS["assignable-add"][2])
    for i in range(n + 1):
        for tool in TOOLS[i % 4:] + TOOLS[:i % 4]:
            for op in ("attach", "detach"):
                timed(rows, tr, cl, op, tool, warm=i == 0)
    cl.cmd("lib " + OPS["assignable-remove -r"][2])


def phase_single(n, rows, tr, cl, others):
    op = "assignable-add (%d on pciback)" % others
    opr = "assignable-remove -r (%d on pciback)" % others
    OPS[op], OPS[opr] = OPS["assignable-add"], OPS["assignable-remove -r"]
    if others == 1:
        cl.cmd("lib assignable-add spec=" + vfs()[0])
    on = on_pciback()
    if len(on) != others or BDF in on:
        die("%s: %d other devices on pciback, not %d" % (op, len(on),
                                                          others))
    for i in range(n + 1):
        for tool in (["xl", "raw"] if i % 2 == 0 else ["raw", "xl"]):
            for o in (op, opr):
                ms, counts = tr.count(cl, lambda: run_tool(cl, tool, o))
                if i:
                    rows.add(o, tool, ms, counts)
                settle(cl, "assignable-add" if o == op else
                       "assignable-remove -r")


def on_pciback():
    root = os.path.join(os.environ["SYSFS_ROOT"], "bus/pci/devices")
    return [d for d in os.listdir(root) if driver(d) == "pciback"]


def vfs():
    root = os.path.join(os.environ["SYSFS_ROOT"], "bus/pci/devices")
    return sorted(d for d in os.listdir(root)
                  if driver(d) == "iavf")


def phase_batch(n, rows, tr, cl):
    devs = vfs()
    if len(devs) != 256:
        die("expected 256 VFs on iavf, found %d" % len(devs))
    k = len(devs)
    add, rem = ("%d assignable-adds at once" % k,
                "%d assignable-removes -r at once" % k)
    for i in range(n):
        # the agent: all requests in one transaction, each allowed an
        # hour (the default 30 s counts from acceptance; they queue)
        for op, fields in ((add, "timeout=3600"),
                           (rem, "rebind=1 timeout=3600")):
            verb = "assignable-add" if op == add else "assignable-remove"
            (nok, us), counts = tr.count(cl, lambda: cl.cmd(
                "batch %s %d %s %s" % (verb, k, " ".join(devs), fields)))
            if int(nok) != k:
                die("%s: %s of %d ok" % (op, nok, k))
            rows.add(op, "raw", int(us) / 1000, counts)
            want = "pciback" if op == add else "iavf"
            if any(driver(d) != want for d in devs):
                die("after %s not all on %s" % (op, want))
        # xl: one process per device, one after the other
        for op, argv in ((add, ["pci-assignable-add"]),
                         (rem, ["pci-assignable-remove", "-r"])):
            def loop():
                t0 = time.perf_counter_ns()
                for d in devs:
                    r = subprocess.run([XL] + argv + [d], env=XL_ENV,
                                       stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
                    if r.returncode:
                        die("xl %s %s: %s" % (" ".join(argv), d,
                                             r.stderr.decode()[-300:]))
                return (time.perf_counter_ns() - t0) / 1e6
            ms, counts = tr.count(cl, loop)
            rows.add(op, "xl", ms, counts)


GUESTS, PER_GUEST = 64, 4
FIRST_GUEST = 10


def phase_guests(n, rows, tr, cl):
    devs = vfs()
    if len(devs) != GUESTS * PER_GUEST:
        die("expected %d VFs on iavf, found %d" % (GUESTS * PER_GUEST,
                                                   len(devs)))
    doms = [str(FIRST_GUEST + i // PER_GUEST) for i in range(len(devs))]
    op = "%d VFs assignable + attached %d per guest to %d guests" % (
        len(devs), PER_GUEST, GUESTS)
    for i in range(n):
        t0 = time.perf_counter_ns()
        for verb, specs, fields in (
                ("assignable-add", devs, "timeout=3600"),
                ("attach", ["%s/%s" % (d, v) for d, v in zip(doms, devs)],
                 "timeout=3600")):
            nok, us = cl.cmd("batch %s %d %s %s" % (verb, len(specs),
                                                    " ".join(specs), fields))
            if int(nok) != len(specs):
                die("%s: %s: %s of %d ok" % (op, verb, nok, len(specs)))
            rows.add("  of it: %d %ss at once" % (len(specs), verb), "raw",
                     int(us) / 1000, None)
        rows.add(op, "raw", (time.perf_counter_ns() - t0) / 1e6,
                 None)
        # back to the start, untimed
        for verb, specs, fields in (
                ("detach", ["%s/%s" % (d, v) for d, v in zip(doms, devs)],
                 "timeout=3600"),
                ("assignable-remove", devs, "rebind=1 timeout=3600")):
            nok, _ = cl.cmd("batch %s %d %s %s" % (verb, len(specs),
                                                   " ".join(specs), fields))
            if int(nok) != len(specs):
                die("%s: %s: %s of %d ok" % (op, verb, nok, len(specs)))


# ---------------------------------------------------------------------
# phase cost: what the agent itself spends, from /proc and strace, not
# timed against xl.  Each row carries metric, value and target.

def proc_cpu_ms(pid):
    """utime + stime of the whole process (every thread, also the
    workers that have exited), in ms."""
    with open("/proc/%d/stat" % pid) as f:
        w = f.read().rsplit(")", 1)[1].split()
    return (int(w[11]) + int(w[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def proc_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1])
    return None


def idle_syscalls(pid, secs):
    """System calls the agent makes in secs of idling (strace -f); the
    calls already blocked when strace attaches, the waits themselves,
    are not counted.  None without strace."""
    out = "/tmp/xpa-bench-idle.%d" % os.getpid()
    try:
        subprocess.run(["timeout", "-s", "INT", str(secs), "strace", "-f",
                        "-p", str(pid), "-o", out],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except FileNotFoundError:
        return None
    if not os.path.exists(out):
        return None
    n = 0
    with open(out, errors="replace") as f:
        for ln in f:
            if ("unfinished" in ln or "detached" in ln or "+++" in ln or
                    "---" in ln or not ln.strip()):
                continue
            n += 1
    os.unlink(out)
    return n


def phase_cost(n, rows, tr, cl):
    pid = int(os.environ["BENCH_AGENT_PID"])
    pairs = int(os.environ.get("BENCH_CPU_PAIRS", "20"))
    add, rem = OPS["assignable-add"][2], OPS["assignable-remove -r"][2]

    def pair():
        for f in (add, rem):
            if cl.cmd("raw " + f)[0] != "ok":
                die("cost: %s failed" % f)
    pair()      # warm-up
    # CPU per request: N rounds of `pairs` add/remove -r pairs
    per = []
    for _ in range(n):
        c0 = proc_cpu_ms(pid)
        for _ in range(pairs):
            pair()
        per.append((proc_cpu_ms(pid) - c0) / (2 * pairs))
    rows.metric("agent CPU per request (add, remove -r)", "cpu_ms", per,
                1.0, "<=")
    # idle: nothing asked, 10 s
    secs = int(os.environ.get("BENCH_IDLE_SECONDS", "10"))
    time.sleep(0.5)
    idle = idle_syscalls(pid, secs)
    rows.metric("agent idle %d s" % secs, "syscalls",
                None if idle is None else [idle], 0, "<=")
    # RSS over many requests: at the start and after every tenth
    total = int(os.environ.get("BENCH_RSS_REQUESTS", "1000"))
    rss = [proc_rss_kib(pid)]
    done = 0
    while done < total:
        for _ in range(max(1, total // 20)):
            pair()
            done += 2
        rss.append(proc_rss_kib(pid))
    rows.metric("agent RSS over %d requests, start" % done, "rss_kib",
                [rss[0]], 4096, "<")
    rows.metric("agent RSS over %d requests, end" % done, "rss_kib",
                [rss[-1]], 4096, "<")
    rows.metric("agent RSS growth over %d requests (max - start)" % done,
                "rss_kib", [max(rss) - rss[0]], 64, "<=")


def cmd_run(argv):
    phase, n, path = argv[0], 20, None
    for i, a in enumerate(argv):
        if a == "--n":
            n = int(argv[i + 1])
        if a == "--rows":
            path = argv[i + 1]
    cl = Client()
    tr = Trace(os.path.join(os.environ["XENSTORED_RUNDIR"], "trace"))
    rows = Rows()
    if phase == "main":
        phase_main(n, rows, tr, cl)
    elif phase.startswith("single-"):
        phase_single(n, rows, tr, cl, int(phase[7:]))
    elif phase == "batch":
        phase_batch(n, rows, tr, cl)
    elif phase == "guests":
        phase_guests(n, rows, tr, cl)
    elif phase == "cost":
        phase_cost(n, rows, tr, cl)
    else:
        die("unknown phase " + phase)
    cl.close()
    rows.dump(path, phase)


# ---------------------------------------------------------------------
REALXEN_OPS = {"assignable-add": "assignable-add", "attach": "attach",
               "detach": "detach",
               "assignable-remove": "assignable-remove -r"}


def cmd_realxen_rows(argv):
    """scen-bench.sh's XBENCH objects, one a line on stdin, as rows."""
    path = argv[argv.index("--rows") + 1]
    runs = {}
    order = []
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        x = json.loads(line)
        op = REALXEN_OPS[x["op"]]
        for tool, key in ((x["tool"], "done_ms"),
                          (x["tool"] + "-backend", "backend_ms")):
            k = (op, tool)
            if k not in runs:
                order.append(k)
                runs[k] = ([], [], [])
            runs[k][0].append(x[key])
            if key == "done_ms":
                runs[k][1].append(x["done_ms"] - x["backend_ms"])
            if "polls" in x:
                # the resolution: one round of the poll loop
                runs[k][2].append(max(x["done_ms"], x["backend_ms"]) /
                                  max(1, x["polls"]))
    if not order:
        die("realxen: no XBENCH lines")
    out = []
    for op, tool in order:
        s, after, poll = runs[(op, tool)]
        row = {"op": op, "tool": tool, "n": len(s), "phase": "realxen",
               "world": "realxen", "samples_ms": s}
        for f in ("total", "tool", "requester", "peer"):
            row["xs_" + f] = None
        if after:
            row["after_backend_ms"] = after
        if poll:
            row["poll_ms"] = poll
        out.append(row)
    with open(path, "w") as f:
        json.dump(out, f)


def p90(xs):
    s = sorted(xs)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]


def cmd_report(argv):
    out = argv[argv.index("--out") + 1]
    files = [a for a in argv if a.endswith(".json") and a != out]
    raw = []
    for f in files:
        with open(f) as fh:
            raw += json.load(fh)
    rows, metrics = [], []
    for r in raw:
        if "metric" in r:
            metrics.append(metric_row(r))
            continue
        row = {"op": r["op"], "tool": r["tool"], "n": r["n"],
               "median_ms": round(statistics.median(r["samples_ms"]), 3),
               "p90_ms": round(p90(r["samples_ms"]), 3)}
        # the median run's count, and how it splits
        tot = r["xs_total"]
        mid = None if tot is None else tot.index(statistics.median_low(tot))
        for f in ("total", "tool", "requester", "peer"):
            row["xs_requests" if f == "total" else "xs_" + f] = \
                None if mid is None else r["xs_" + f][mid]
        row["phase"] = r["phase"]
        row["world"] = r.get("world", "sim")
        a = r.get("after_backend_ms")
        if a:
            row["after_backend_median_ms"] = round(statistics.median(a), 3)
            row["after_backend_p90_ms"] = round(p90(a), 3)
        if r.get("poll_ms"):
            row["poll_median_ms"] = round(statistics.median(r["poll_ms"]), 1)
        rows.append(row)
    phases = ["main", "single-1", "single-256", "batch", "guests", "cost",
              "realxen"]
    ops = list(OPS) + sorted({r["op"] for r in rows} - set(OPS))
    tools = ["xl", "xl-exported", "xl-backend"] + TOOLS[1:] + \
        ["agent", "agent-backend"]
    rows.sort(key=lambda r: (phases.index(r["phase"]), ops.index(r["op"]),
                             tools.index(r["tool"])))
    xl = {(r["op"], r["phase"], r["tool"]): r["median_ms"] for r in rows
          if r["tool"] in ("xl", "xl-backend")}
    for r in rows:
        ref = "xl-backend" if r["tool"].endswith("-backend") else "xl"
        base = xl.get((r["op"], r["phase"], ref))
        r["ratio_to_xl"] = round(r["median_ms"] / base, 3) if base else None
    with open(out, "w") as f:
        json.dump(rows + metrics, f, indent=1)
        f.write("\n")
    print_table(rows)
    if metrics:
        print()
        print_metrics(metrics)


def metric_row(r):
    v = r["values"]
    med = None if not v else round(statistics.median(v), 3)
    met = None
    if med is not None:
        met = med <= r["target"] if r["cmp"] == "<=" else med < r["target"]
    return {"op": r["op"], "tool": r["tool"], "phase": r["phase"],
            "metric": r["metric"], "n": len(v) if v else 0,
            "median": med, "p90": None if not v else round(p90(v), 3),
            "target": "%s %s" % (r["cmp"], r["target"]), "met": met}


def print_metrics(ms):
    hdr = ("agent cost", "metric", "n", "median", "p90", "target", "met")
    lines = [(m["op"], m["metric"], str(m["n"]),
              "-" if m["median"] is None else "%g" % m["median"],
              "-" if m["p90"] is None else "%g" % m["p90"], m["target"],
              "-" if m["met"] is None else ("yes" if m["met"] else "NO"))
             for m in ms]
    w = [max(len(t[i]) for t in lines + [hdr]) for i in range(len(hdr))]
    for t in [hdr] + lines:
        print("  ".join(x.ljust(w[i]) if i < 2 else x.rjust(w[i])
                        for i, x in enumerate(t)).rstrip())


def print_table(rows):
    hdr = ("op", "tool", "n", "median ms", "p90 ms", "/ xl",
           "xs req", "tool+requester+peer")
    lines = []
    for r in rows:
        xs = r["xs_requests"]
        lines.append((r["op"] + (" (real Xen)" if r["world"] == "realxen"
                                 else ""), r["tool"], str(r["n"]),
                      "%.2f" % r["median_ms"], "%.2f" % r["p90_ms"],
                      "-" if r["ratio_to_xl"] is None
                      else "%.2f" % r["ratio_to_xl"],
                      "-" if xs is None else str(xs),
                      "after backend %.0f ms (p90 %.0f)" % (
                          r["after_backend_median_ms"],
                          r["after_backend_p90_ms"])
                      if "after_backend_median_ms" in r
                      else "-" if xs is None else "%d+%d+%d" % (
                          r["xs_tool"], r["xs_requester"], r["xs_peer"])))
    w = [max(len(t[i]) for t in lines + [hdr]) for i in range(len(hdr))]

    def show(t):
        print("  ".join(x.ljust(w[i]) if i < 2 else x.rjust(w[i])
                        for i, x in enumerate(t)).rstrip())
    show(hdr)
    prev = None
    for t in lines:
        if prev is not None and t[0] != prev:
            print()
        prev = t[0]
        show(t)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "run":
        cmd_run(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "realxen-rows":
        cmd_realxen_rows(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "report":
        cmd_report(sys.argv[2:])
    else:
        die("usage: bench.py run PHASE --n N --rows FILE | "
            "realxen-rows --rows FILE | report --out FILE ROWS...")
