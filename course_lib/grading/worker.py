"""One submission's papermill run, in its own process: `python -m course_lib.grading.worker JOB.json`.

The grader starts this process in a new session (its own process group) and kills that group, and the kernel's,
when the notebook's wall-clock limit passes. The worker runs no student code itself: the kernel runs inside the
sandbox (course_lib.grading.sandbox); the worker only drives it with papermill, with
- a per-cell timeout that interrupts the kernel (KeyboardInterrupt) and goes on with the next cell,
- errors allowed, so one broken cell does not stop the rest of the notebook,
- at most `output_kb` of everything cells emit kept per notebook: streams, rich data with its metadata, error
  tracebacks, display updates and widget messages all count (the rest is dropped as it arrives).
The notebook holds no grader cell: nothing in the kernel counts towards the grade (course_lib.grading.answers
gives the points). It writes RESULT.json: how the run ended and which cells ran, failed or timed out; the grader
only uses that to say how the run went and which exercise cells the notebook reached.
"""

from __future__ import annotations

import json
import os
import sys
import time

__all__ = ["main"]

ENGINE_NAME = "course-sandbox"


COUNTED = {"stream", "display_data", "execute_result", "update_display_data", "error", "clear_output"}


def _size(content) -> int:
    """Bytes a message's content would take in the notebook, metadata and tracebacks included."""
    try:
        return len(json.dumps(content, default=str))
    except (TypeError, ValueError, RecursionError):
        return 1 << 30  # not plain JSON: count it as over any cap


def _capped_client_class():
    from papermill.clientwrap import PapermillNotebookClient

    class CappedClient(PapermillNotebookClient):
        """Keeps at most `output_cap` bytes of what cells emit in the notebook; drops the rest."""

        def __init__(self, nb_man, output_cap=2 ** 21, **kw):
            super().__init__(nb_man, **kw)
            self.output_cap, self.output_seen, self.output_truncated = output_cap, 0, False

        def process_message(self, msg, cell, cell_index):
            if msg.get("msg_type") in COUNTED or str(msg.get("msg_type", "")).startswith("comm"):
                self.output_seen += _size(msg.get("content", {}))
                if self.output_seen > self.output_cap:
                    if not self.output_truncated:
                        self.output_truncated = True
                        from nbformat import from_dict

                        cell.outputs.append(from_dict({
                            "output_type": "stream", "name": "stderr",
                            "text": f"[grader] outputs past {self.output_cap // 1024} kB were dropped\n"}))
                    return None
            return super().process_message(msg, cell, cell_index)

        async def _async_handle_timeout(self, timeout, cell=None):
            if cell is not None:  # remembered in the executed notebook, for the grader's status and feedback
                cell.metadata["grader_timeout"] = True
            return await super()._async_handle_timeout(timeout, cell)

    return CappedClient


def _register_engine() -> None:
    from papermill.engines import NBClientEngine, papermill_engines

    capped_client = _capped_client_class()

    class SandboxEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            from papermill.log import logger
            from papermill.utils import remove_args

            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            return capped_client(nb_man, timeout=execution_timeout, startup_timeout=start_timeout,
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
            "index": index, "exercise": str(cell.get("metadata", {}).get("grader_exercise", ""))[:40],
            # papermill marks unstarted cells "completed" when the run ends early: a cell ran if it started
            "status": meta.get("status", "pending") if meta.get("start_time") else "pending",
            "timeout": bool(cell.get("metadata", {}).get("grader_timeout")),
            "error": (f"{errors[0].get('ename', '')}: {str(errors[0].get('evalue', ''))[:200]}" if errors else ""),
        })
    return report


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
    except Exception as error:  # noqa: BLE001 - report how it failed; the points come from the answer process
        result.update(status="failed", message=f"{type(error).__name__}: {str(error)[:300]}")
    result["seconds"] = round(time.monotonic() - start, 3)
    result["cells"] = _cell_report(job["output"])
    return result


def main(argv: list[str]) -> int:
    from course_lib.grading.lean_imports import skip_unused_format_grammar

    skip_unused_format_grammar()  # one worker per submission: 2.3 s of CPU each otherwise
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
