"""Old Word (.doc), WPS and OpenDocument (.odt) files: converted to DOCX by LibreOffice, then read as DOCX.

LibreOffice runs headless as a bounded subprocess: its own profile directory (concurrent conversions never
share one), its own process group (killed whole at the timeout), input and output in a private temporary
directory. Without LibreOffice installed the service still starts; such a file gets a clear error that
says what to install, and /readyz lists the converter as missing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from service import errors

CONVERT_TIMEOUT_S = 60.0
MAX_OUTPUT_BYTES = 50 * 1024 * 1024


def soffice() -> str | None:
    """The LibreOffice executable, where one is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes, suffix: str, name: str | None, timeout_s: float = CONVERT_TIMEOUT_S) -> bytes:
    """The document as DOCX bytes; raises UnsupportedFormat without LibreOffice, InputError when it fails."""
    exe = soffice()
    who = name or "the input"
    if exe is None:
        raise errors.UnsupportedFormat(
            f"{who} is an old Word, WPS or OpenDocument file: reading it needs LibreOffice "
            "(apt-get install libreoffice-writer-nogui), which is not installed",
            source=name,
            missing="libreoffice",
        )
    with tempfile.TemporaryDirectory(prefix="nianbao-office-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        args = [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(Path(tmp) / "out"),
            str(src),
        ]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise errors.InputError(
                f"converting {who} with LibreOffice took longer than {timeout_s:g} s and was stopped",
                source=name,
                limit_s=timeout_s,
            ) from None
        out = Path(tmp) / "out" / "input.docx"
        if proc.returncode != 0 or not out.is_file():
            message = err.decode("utf-8", "replace").strip()[-300:]
            raise errors.InputError(f"LibreOffice could not convert {who}: {message or 'no output'}", source=name)
        if out.stat().st_size > MAX_OUTPUT_BYTES:
            raise errors.too_large(name, out.stat().st_size, MAX_OUTPUT_BYTES)
        return out.read_bytes()
