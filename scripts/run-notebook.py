#!/usr/bin/env python3
"""Execute tslab notebooks headless, one after another, and stop at the first failure.

Why not `jupyter nbconvert --execute`: on a failing cell it writes no output notebook, and
tslab sends no error name/value (the real message is only in the cell's stderr stream).
This runner, built on nbclient:
  * starts the project's tslab kernel (jupyter/kernels/tslab, found through JUPYTER_PATH),
    which runs in the project root so notebooks import "./src/...";
  * executes the cells one by one, printing each cell's wall time as it finishes;
  * numbers the executed cells (tslab's replies carry no execution count of their own);
  * saves the executed notebook (also when a cell fails: the outputs up to that cell), signed as
    trusted for this user (like `jupyter trust`), so its HTML and charts show when opened;
  * on failure prints the failing cell's source and its real error (stderr stream, error
    output, or the kernel's error reply), and exits 1.

Usage: scripts/run-notebook.py [--profile smoke|full] [--out-dir DIR] [--timeout S] NB.ipynb [NB.ipynb ...]
Run it with a Python that has nbclient (scripts/setup-jupyter.sh installs it; /usr/bin/python3 on Debian).
"""
import argparse
import os
import re
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL_DIR = os.path.join(ROOT, "jupyter")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("notebooks", nargs="+", help="notebooks to execute, in order")
    p.add_argument("--out-dir", default=os.path.join(ROOT, "out", "notebooks"),
                   help="where executed notebooks are written (default: out/notebooks)")
    p.add_argument("--in-place", action="store_true", help="overwrite the input notebooks instead")
    p.add_argument("--profile", choices=["smoke", "full"], help="sets NER_PROFILE for the kernel")
    p.add_argument("--timeout", type=int, default=int(os.environ.get("NER_CELL_TIMEOUT", "1800")),
                   help="seconds one cell may run (default 1800, env NER_CELL_TIMEOUT)")
    p.add_argument("--startup-timeout", type=int, default=120, help="seconds to wait for the kernel")
    p.add_argument("--kernel", default=None,
                   help="kernel name (default: the notebook's metadata, else tslab)")
    p.add_argument("--quiet", action="store_true", help="print only the per-notebook summary")
    return p.parse_args(argv)


def import_nbclient():
    try:
        import nbformat  # noqa: F401
        from nbclient import NotebookClient  # noqa: F401
        from nbclient.exceptions import CellExecutionError, CellTimeoutError  # noqa: F401
    except ImportError as e:
        sys.stderr.write(
            f"run-notebook: {e}.\n"
            f"  This runner needs nbclient for {sys.executable}; run scripts/setup-jupyter.sh\n"
            "  (Debian: apt-get install python3-nbclient; elsewhere: python3 -m pip install nbclient).\n")
        sys.exit(2)


def cell_text(cell, names=("stderr",)):
    """Text of a cell's stream outputs of the given names plus any error outputs."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") in names:
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            tb = out.get("traceback") or []
            parts.append("\n".join(tb) if tb else f"{out.get('ename', '')}: {out.get('evalue', '')}")
    return "".join(parts).strip()


def drop_kernel_frames(text):
    """Stack frames inside tslab and node's vm only hide the notebook's own frames."""
    keep = [l for l in text.splitlines()
            if not (l.lstrip().startswith("at ") and ("node_modules/tslab/" in l or "(node:" in l
                                                       or "sigintHandlersWrap" in l))]
    return "\n".join(keep)


# zeromq's "Socket is closed", thrown in tslab when a reply is sent after the shutdown request
# closed the kernel's sockets: every cell has finished by then, so it says nothing about the run.
_SHUTDOWN_NOISE = re.compile(r"Socket is closed")


def kernel_stderr_report(text):
    """The kernel process's own stderr without the harmless shutdown noise (and its stack frames)."""
    keep, skipping = [], False
    for line in text.splitlines():
        if _SHUTDOWN_NOISE.search(line):
            skipping = True
            # A "file:line / source / ^" header printed just before an uncaught error belongs to it.
            while keep and (keep[-1].strip() in ("", "^") or keep[-1].startswith(("/", "node:", " "))):
                keep.pop()
            continue
        if skipping and (line.lstrip().startswith("at ") or not line.strip() or line.lstrip().startswith(("{", "}", "code:", "errno:", "Node.js v"))):
            continue
        skipping = False
        keep.append(line)
    return "\n".join(keep).strip()


def first_lines(src, n=12):
    lines = src.splitlines()
    more = f"\n    ... ({len(lines) - n} more lines)" if len(lines) > n else ""
    return "\n".join("    " + l for l in lines[:n]) + more


def sign_notebook(nb, name):
    """Mark our own freshly executed outputs as trusted (the notary's database, as `jupyter trust`).

    Without it classic Notebook shows no HTML/JavaScript output (every chart a blank gap)
    until the user trusts the file. A notary failure is reported, never fatal."""
    try:
        from nbformat.sign import NotebookNotary
        NotebookNotary().sign(nb)
    except Exception as e:  # noqa: BLE001 - signing is a convenience
        sys.stderr.write(f"[{name}] warning: could not sign the executed notebook as trusted: {e}\n")


def output_path(nb_path, args):
    if args.in_place:
        return nb_path
    os.makedirs(args.out_dir, exist_ok=True)
    return os.path.join(args.out_dir, os.path.basename(nb_path))


def run_one(nb_path, args):
    """Execute one notebook; returns (ok, seconds, per-cell timings)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.read(nb_path, as_version=4)
    kernel = args.kernel or nb.metadata.get("kernelspec", {}).get("name") or "tslab"
    out_path = output_path(nb_path, args)
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=args.timeout,
        startup_timeout=args.startup_timeout,
        allow_errors=False,
        record_timing=True,
        # The kernelspec cd's to the project root itself; this is the cwd of `sh` before that.
        resources={"metadata": {"path": ROOT}},
    )
    name = os.path.basename(nb_path)
    timings = []
    failure = None
    t0 = time.monotonic()
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    # The kernel's process stderr (not a cell's) goes to a file: it is shown after the notebook
    # without tslab's harmless shutdown noise; a crash (kernel died) still comes through.
    kernel_err = tempfile.TemporaryFile()
    try:
        with client.setup_kernel(stderr=kernel_err):
            startup = time.monotonic() - t0
            if not args.quiet:
                print(f"[{name}] kernel {kernel} started in {startup:.1f}s", flush=True)
            for k, idx in enumerate(code_cells, 1):
                cell = nb.cells[idx]
                c0 = time.monotonic()
                try:
                    client.execute_cell(cell, idx, execution_count=k)
                except (CellExecutionError, CellTimeoutError) as e:
                    failure = (k, idx, cell, e)
                dt = time.monotonic() - c0
                timings.append((k, idx, dt))
                if not args.quiet:
                    status = "FAILED" if failure else "ok"
                    print(f"[{name}] cell {k:>3}/{len(code_cells)} (#{idx}) {dt:7.2f}s {status}", flush=True)
                if failure:
                    break
    except (CellExecutionError, CellTimeoutError) as e:  # raised during setup (rare)
        failure = (0, -1, None, e)
    except Exception as e:  # kernel died, could not start, ...
        failure = (0, -1, None, e)
    total = time.monotonic() - t0
    sign_notebook(nb, name)
    nbformat.write(nb, out_path)
    kernel_err.seek(0)
    kernel_text = kernel_stderr_report(kernel_err.read().decode("utf-8", "replace"))
    kernel_err.close()
    if kernel_text:
        sys.stdout.flush()
        sys.stderr.write(f"[{name}] kernel stderr:\n{kernel_text}\n")
        sys.stderr.flush()
    if failure:
        k, idx, cell, err = failure
        sys.stdout.flush()
        sys.stderr.write(f"\n[{name}] FAILED")
        if cell is not None:
            sys.stderr.write(f" at code cell {k} (cell #{idx}) after {total:.1f}s:\n{first_lines(cell.source)}\n")
            real = drop_kernel_frames(cell_text(cell))
            sys.stderr.write("--- error (the cell's stderr) ---\n")
            sys.stderr.write((real or str(err)).rstrip() + "\n")
        else:
            sys.stderr.write(f": {type(err).__name__}: {err}\n")
        sys.stderr.write(f"[{name}] partial executed notebook saved to {os.path.relpath(out_path, os.getcwd())}\n")
        sys.stderr.flush()
        return False, total, timings
    print(f"[{name}] ok: {len(code_cells)} code cells in {total:.1f}s -> {os.path.relpath(out_path, os.getcwd())}",
          flush=True)
    return True, total, timings


def main(argv):
    args = parse_args(argv)
    import_nbclient()
    # The project kernelspec comes first; keep what the user had after it.
    prev = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = KERNEL_DIR + (os.pathsep + prev if prev else "")
    if args.profile:
        os.environ["NER_PROFILE"] = args.profile
    for nb_path in args.notebooks:
        if not os.path.isfile(nb_path):
            sys.stderr.write(f"run-notebook: no such notebook: {nb_path}\n")
            return 2
    summary = []
    for nb_path in args.notebooks:
        ok, secs, timings = run_one(os.path.abspath(nb_path), args)
        summary.append((os.path.basename(nb_path), ok, secs, timings))
        if not ok:
            break
    print("\nnotebook                                   status    seconds  slowest cell")
    for name, ok, secs, timings in summary:
        slow = max(timings, key=lambda t: t[2]) if timings else None
        slow_s = f"#{slow[1]} {slow[2]:.1f}s" if slow else "-"
        print(f"{name:<42} {'ok' if ok else 'FAILED':<8} {secs:8.1f}  {slow_s}")
    not_run = args.notebooks[len(summary):]
    for nb_path in not_run:
        print(f"{os.path.basename(nb_path):<42} {'skipped':<8}")
    return 0 if all(ok for _, ok, _, _ in summary) and not not_run else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
