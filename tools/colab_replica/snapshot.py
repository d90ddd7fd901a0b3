"""The repository the replica's Colab cells install from: the checkout as it is now, tagged as the release.

The Colab cell runs exactly as written: `%pip install "course_lib[colab] @ git+https://github.com/OWNER/NAME@vX.Y.Z"`.
git itself rewrites that URL to a local bare repository (`url.<local>.insteadOf`, passed to the kernel through
GIT_CONFIG_* variables, so no git configuration file changes). That repository holds one commit, the checkout's
working tree (tracked files and untracked ones git does not ignore), tagged `v` + course_lib.__version__. A cell
that names another ref fails to install, as it would on Colab before that release exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["git_rewrite_env", "snapshot_checkout", "tag_commit", "tree_of_checkout"]


def _git(*args, cwd: Path, env=None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}: {result.stderr.strip()}")
    return result.stdout.strip()


_AUTHOR = {"GIT_AUTHOR_NAME": "colab replica", "GIT_AUTHOR_EMAIL": "replica@localhost",
           "GIT_COMMITTER_NAME": "colab replica", "GIT_COMMITTER_EMAIL": "replica@localhost"}


def tree_of_checkout(checkout: Path) -> str:
    """The git tree id of the working tree of `checkout` (tracked files and untracked ones git does not ignore),
    written to its object store without touching its index, branches or tags."""
    with tempfile.TemporaryDirectory() as scratch:
        index = Path(scratch) / "index"
        real_index = Path(checkout, _git("rev-parse", "--git-path", "index", cwd=checkout))
        if real_index.exists():
            shutil.copyfile(real_index, index)  # its cached file stats spare re-reading unchanged files
        env = dict(os.environ, GIT_INDEX_FILE=str(index))
        _git("add", "--all", ".", cwd=checkout, env=env)
        return _git("write-tree", cwd=checkout, env=env)


def tag_commit(bare: Path, tag: str) -> str:
    """The commit `tag` names in the bare repository `bare`; '' when there is none."""
    if not (bare / "HEAD").exists():
        return ""
    result = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"], cwd=bare,
                            capture_output=True, text=True, check=False)
    return result.stdout.strip()


def snapshot_checkout(checkout: Path, bare: Path, tag: str) -> str:
    """Commit the working tree of `checkout` (without touching its index, branches or tags) into `bare` as `tag`.

    Returns the commit id.
    """
    tree = tree_of_checkout(checkout)
    commit = _git("commit-tree", tree, "-m", f"Colab replica snapshot as {tag}", cwd=checkout,
                  env=dict(os.environ, **_AUTHOR))
    if not (bare / "HEAD").exists():
        bare.mkdir(parents=True, exist_ok=True)
        _git("init", "--quiet", "--bare", str(bare), cwd=bare)
    _git("push", "--quiet", "--force", str(bare), f"{commit}:refs/tags/{tag}", f"{commit}:refs/heads/main",
         cwd=checkout)
    _git("symbolic-ref", "HEAD", "refs/heads/main", cwd=bare)  # pip's clone checks out HEAD before the tag
    return commit


def git_rewrite_env(repository: str, bare: Path) -> dict:
    """Environment variables that make git fetch https://github.com/<repository> from `bare` instead."""
    return {"GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": f"url.{bare.resolve().as_uri()}.insteadOf",
            "GIT_CONFIG_VALUE_0": f"https://github.com/{repository}"}
