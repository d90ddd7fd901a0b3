"""One submission's papermill run, in its own process: `python -m course_lib.grading.worker JOB.json`.

The grader starts this process in a new session (its own process group) and kills that group, and the kernel's,
when the notebook's wall-clock limit passes. The worker runs no student code itself: the kernel runs inside the
sandbox (course_lib.grading.sandbox); the worker only drives it with papermill, with
- a per-cell timeout that interrupts the kernel (KeyboardInterrupt) and goes on with the next cell,
- errors allowed, so one broken cell does not stop the exports of the other exercises,
- at most `output_kb` of outputs kept per notebook (the rest is dropped as it arrives).
After each grader export cell it moves that export out of the kernel's working folder into a folder only the
grader can read, so later cells cannot rewrite it. It writes RESULT.json: how the run ended and which cells
ran, failed or timed out.
"""

from __future__ import annotations

import json
import os
import sys
import time

__all__ = ["main"]

ENGINE_NAME = "course-sandbox"


def _register_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class CappedClient(PapermillNotebookClient):
        """Keeps at most `output_cap` bytes of cell outputs in the notebook; drops the rest."""

        def __init__(self, nb_man, output_cap=2 ** 21, **kw):
            super().__init__(nb_man, **kw)
            self.output_cap, self.output_seen, self.output_truncated = output_cap, 0, False

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = len(str(content.get("text", ""))) + sum(len(str(v)) for v in content.get("data", {}).values())
            self.output_seen += size
            if self.output_seen > self.output_cap:
                if not self.output_truncated:
                    self.output_truncated = True
                    note = {"output_type": "stream", "name": "stderr",
                            "text": f"[grader] outputs past {self.output_cap // 1024} kB were dropped\n"}
                    from nbformat import from_dict

                    outs.append(from_dict(note))
                return None
            return super().output(outs, msg, display_id, cell_index)

        async def _async_handle_timeout(self, timeout, cell=None):
            if cell is not None:  # remembered in the executed notebook, for the grader's status and feedback
                cell.metadata["grader_timeout"] = True
            return await super()._async_handle_timeout(timeout, cell)

    class SandboxEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            from papermill.log import logger
            from papermill.utils import remove_args

            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            return CappedClient(nb_man, timeout=execution_timeout, startup_timeout=start_timeout,
                                kernel_name=kernel_name, log=logger, log_output=False, stdout_file=None,
                                stderr_file=None, **kwargs).execute()

    papermill_engines.register(ENGINE_NAME, SandboxEngine)


def _cell_report(path: str) -> list[dict]:
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 - a half-written notebook: report nothing rather than fail
        return []
    report = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("papermill", {})
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        report.append({
            "index": index, "tags": list(cell.get("metadata", {}).get("tags", [])),
            "status": meta.get("status", "pending"),
            "timeout": bool(cell.get("metadata", {}).get("grader_timeout")),
            "error": (f"{errors[0].get('ename', '')}: {str(errors[0].get('evalue', ''))[:200]}" if errors else ""),
        })
    return report


def _collector(export_dir: str, collected_dir: str):
    """After each grader export cell, move the fresh exports out of the kernel's reach (a root-only folder)."""

    def collect(cell=None, cell_index=None, **_):
        if cell is None or "grader-export" not in cell.get("metadata", {}).get("tags", []):
            return
        try:
            names = os.listdir(export_dir)
        except OSError:
            return
        os.makedirs(collected_dir, mode=0o700, exist_ok=True)
        for name in names:
            target = os.path.join(collected_dir, name)
            if not os.path.lexists(target):  # the first export of an id wins; rename never follows symlinks
                os.rename(os.path.join(export_dir, name), target)

    return collect


def run_job(job: dict) -> dict:
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from course_lib.grading.sandbox import Sandbox, sandbox_kernel_manager_class

    sandbox = Sandbox.from_json(job["sandbox"])
    limits = sandbox.limits
    _register_engine()
    result = {"status": "completed", "message": "", "isolation": sandbox.level()}
    start = time.monotonic()
    try:
        papermill.execute_notebook(
            job["input"], job["output"], parameters=job["parameters"], kernel_name=job.get("kernel_name", "python3"),
            engine_name=ENGINE_NAME, progress_bar=False, cwd=sandbox.workdir,
            execution_timeout=limits.cell_timeout_s, start_timeout=limits.startup_timeout_s,
            kernel_manager_class=sandbox_kernel_manager_class(sandbox), allow_errors=True,
            interrupt_on_timeout=True, output_cap=limits.output_kb * 1024, iopub_timeout=15,
            on_cell_executed=_collector(job["export_dir"], job["collected_dir"]),
            error_on_timeout={"ename": "CellTimeoutError",
                              "evalue": f"the cell ran past {limits.cell_timeout_s:g} s and was interrupted",
                              "traceback": []},
        )
    except PapermillExecutionError as error:
        result.update(status="errors", message=f"{error.ename}: {str(error.evalue)[:300]}")
    except DeadKernelError:
        result.update(status="kernel-died", message="the kernel died (crash, os._exit, or the memory limit)")
    except CellTimeoutError:
        result.update(status="timeout", message="a cell ran past the per-cell limit and did not stop when "
                                                "interrupted; the run was stopped there")
    except Exception as error:  # noqa: BLE001 - report how it failed; the grader scores from the exports
        result.update(status="failed", message=f"{type(error).__name__}: {str(error)[:300]}")
    result["seconds"] = round(time.monotonic() - start, 3)
    result["cells"] = _cell_report(job["output"])
    return result


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as handle:
        job = json.load(handle)
    result = run_job(job)
    tmp = job["result"] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    os.replace(tmp, job["result"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
