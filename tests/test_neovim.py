"""One run through a real editor: Neovim's built-in LSP client, headless, against
``flake8-asyncloop server``. It opens a fixture, prints the diagnostics, applies the quick fix it is
offered and prints the buffer. Skipped where ``nvim`` is not installed (Debian: ``apt-get install
neovim``; the script uses the LSP API of Neovim 0.7, which later versions keep)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_asyncloop.engine.fixer import fix_source
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES

NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim is not installed (apt-get install neovim)")

# Non-ASCII text before the call: Neovim counts columns in UTF-8 bytes and converts from the UTF-16
# columns the server sends, so the column it shows checks both ends of the conversion.
FIXTURE = """\
import asyncio


async def handler():
    label = "😀é"; loop = asyncio.get_event_loop()
    return loop
"""

SCRIPT = r"""
-- Neovim's built-in LSP client (0.7+ API) against flake8-asyncloop server: print what an editor shows.
local out = assert(io.open(os.getenv("NVIM_LSP_OUTPUT"), "w"))
local function emit(record) out:write(vim.fn.json_encode(record) .. "\n") end
local path = os.getenv("NVIM_LSP_FILE")
vim.cmd("edit " .. vim.fn.fnameescape(path))
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "flake8-asyncloop",
  cmd = { os.getenv("NVIM_LSP_PYTHON"), "-m", "flake8_asyncloop", "server" },
  root_dir = vim.fn.fnamemodify(path, ":h"),
})
vim.lsp.buf_attach_client(bufnr, client_id)
vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
local diagnostics = vim.diagnostic.get(bufnr)
for _, d in ipairs(diagnostics) do
  emit({ kind = "diagnostic", line = d.lnum, col = d.col, code = d.user_data.lsp.code, source = d.source })
end
if #diagnostics > 0 then
  -- Neovim 0.10+ keeps the whole LSP diagnostic in user_data; 0.7-0.9 rebuild it on request.
  local lsp_diagnostic = diagnostics[1].user_data.lsp
  if lsp_diagnostic.range == nil then
    lsp_diagnostic = vim.lsp.diagnostic.get_line_diagnostics(bufnr, diagnostics[1].lnum)[1]
  end
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = lsp_diagnostic.range,
    context = { diagnostics = { lsp_diagnostic }, only = { "quickfix" } },
  }, 20000)
  for _, response in pairs(responses or {}) do
    for _, action in ipairs(response.result or {}) do
      emit({ kind = "action", title = action.title })
      vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
    end
  end
  vim.wait(20000, function() return #vim.diagnostic.get(bufnr) == 0 end, 50)
  emit({ kind = "after", diagnostics = #vim.diagnostic.get(bufnr),
         text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, true), "\n") })
end
out:close()
vim.cmd("qa!")
"""


def test_neovim_shows_the_diagnostic_and_applies_its_quick_fix(tmp_path: Path) -> None:
    assert NVIM is not None
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-asyncloop]\ntarget-version = ">=3.9"\n')
    fixture = tmp_path / "app.py"
    fixture.write_text(FIXTURE, encoding="utf-8")
    script = tmp_path / "lsp.lua"
    script.write_text(SCRIPT, encoding="utf-8")
    output = tmp_path / "output.jsonl"
    environment = dict(
        os.environ, NVIM_LSP_OUTPUT=str(output), NVIM_LSP_FILE=str(fixture), NVIM_LSP_PYTHON=sys.executable
    )
    result = subprocess.run(
        [NVIM, "--headless", "--clean", "-c", f"luafile {script}"],
        env=environment, cwd=tmp_path, capture_output=True, stdin=subprocess.DEVNULL, timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert output.exists(), result.stderr.decode(errors="replace")
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    line = FIXTURE.splitlines()[4]
    byte_column = len(line[: line.index("asyncio.get_event_loop")].encode("utf-8"))
    assert records[0] == {
        "kind": "diagnostic", "line": 4, "col": byte_column, "code": "ELP104", "source": "flake8-asyncloop"
    }
    assert records[1] == {"kind": "action", "title": "ELP104: Use asyncio.get_running_loop()"}
    # The buffer after the edit is what the command writes, and the server then clears the diagnostic.
    fixed = fix_source(FIXTURE, parse_target_versions(">=3.9"), ALL_RULES).source
    assert records[2] == {"kind": "after", "diagnostics": 0, "text": fixed.rstrip("\n")}
    assert not result.stderr.strip(), result.stderr.decode(errors="replace")
