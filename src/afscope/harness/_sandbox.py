"""The bubblewrap sandbox as an Inspect sandbox environment: ``sandbox="bwrap"``.

Registered through afscope's Inspect entry point (``afscope.harness._registry``). Each sample gets a
fresh :class:`~afscope.sandbox.Sandbox`; Inspect writes the sample's files into it and removes it in
``sample_cleanup`` (also when the sample was interrupted). Directories left by a killed run are
removed at the next task start.
"""

from __future__ import annotations

from typing import Any, Literal, overload

from inspect_ai.util import ExecResult, SandboxEnvironment, SandboxEnvironmentConfigType, sandboxenv

from afscope.sandbox import WORKDIR, CommandResult, Limits, Sandbox, remove_stale_sandboxes

__all__ = ["SANDBOX_NAME", "BwrapSandboxEnvironment"]

SANDBOX_NAME = "bwrap"


@sandboxenv(name=SANDBOX_NAME)
class BwrapSandboxEnvironment(SandboxEnvironment):
    """One sample's bubblewrap sandbox; :attr:`commands` records every command and its result."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.commands: list[dict[str, Any]] = []

    @classmethod
    async def task_init(cls, task_name: str, config: SandboxEnvironmentConfigType | None) -> None:
        Sandbox.create().cleanup()  # refuses with the install line when bwrap is missing
        remove_stale_sandboxes()

    @classmethod
    async def sample_init(
        cls, task_name: str, config: SandboxEnvironmentConfigType | None, metadata: dict[str, str]
    ) -> dict[str, SandboxEnvironment]:
        return {"default": cls(Sandbox.create(limits=Limits()))}

    @classmethod
    async def sample_cleanup(
        cls,
        task_name: str,
        config: SandboxEnvironmentConfigType | None,
        environments: dict[str, SandboxEnvironment],
        interrupted: bool,
    ) -> None:
        for environment in environments.values():
            if isinstance(environment, BwrapSandboxEnvironment):
                environment.sandbox.cleanup()

    @classmethod
    async def task_cleanup(
        cls, task_name: str, config: SandboxEnvironmentConfigType | None, cleanup: bool
    ) -> None:
        remove_stale_sandboxes()

    async def exec(
        self,
        cmd: list[str],
        input: str | bytes | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        user: str | None = None,
        timeout: int | None = None,
        timeout_retry: bool = True,
        concurrency: bool = True,
    ) -> ExecResult[str]:
        result: CommandResult = await self.sandbox.run(
            cmd, input=input, cwd=cwd, env=env, timeout=timeout
        )
        self.commands.append(
            {"cmd": list(cmd), "returncode": result.returncode, "limit": result.limit}
        )
        if (
            result.limit == "wall_time"
            and timeout is not None
            and timeout < self.sandbox.limits.wall_seconds
        ):
            raise TimeoutError(f"command timed out after {timeout} s")
        return ExecResult(result.success, result.returncode, result.stdout, result.stderr)

    async def write_file(self, file: str, contents: str | bytes) -> None:
        self.sandbox.write_file(file, contents)

    @overload
    async def read_file(self, file: str, text: Literal[True] = True) -> str: ...

    @overload
    async def read_file(self, file: str, text: Literal[False]) -> bytes: ...

    async def read_file(self, file: str, text: bool = True) -> str | bytes:
        data = self.sandbox.read_file(file)
        return data.decode("utf-8") if text else data

    @classmethod
    def workdir(cls) -> str:
        return WORKDIR
