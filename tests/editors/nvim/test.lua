-- Headless Neovim end-to-end test of editors/nvim (run by tests/editors/nvim/run.sh):
--   nvim --headless --clean -u tests/editors/nvim/test.lua
-- Environment: DOCKLS_REPO (repository root), DOCKLS_BIN (the server binary), WORKDIR (a
-- temporary folder for the Dockerfile). Exits 0 when every check passes, 1 otherwise.
local repo, bin, workdir = os.getenv('DOCKLS_REPO'), os.getenv('DOCKLS_BIN'), os.getenv('WORKDIR')
local failures = {}
local function check(ok, what)
  io.stdout:write((ok and 'ok   ' or 'FAIL ') .. what .. '\n')
  if not ok then table.insert(failures, what) end
end
local function finish()
  io.stdout:write(#failures == 0 and 'nvim: all checks passed\n' or ('nvim: ' .. #failures .. ' failed\n'))
  vim.cmd(#failures == 0 and 'qall!' or 'cquit! 1')
end

-- Only what a user's config has: the plugin folder on the runtimepath and one enable call
-- (plus the binary under test instead of `dockls` on PATH).
vim.opt.runtimepath:prepend(repo .. '/editors/nvim')
-- Test-only: a bash parser (for the injection) and, in the second run, nvim-treesitter-style
-- `dockerfile` queries written for another grammar.
-- The latter go first: Neovim takes the first `highlights.scm` of a language it finds.
if (os.getenv('BASH_RTP') or '') ~= '' then vim.opt.runtimepath:append(os.getenv('BASH_RTP')) end
if (os.getenv('EXTRA_RTP') or '') ~= '' then vim.opt.runtimepath:prepend(os.getenv('EXTRA_RTP')) end
vim.lsp.config('dockls', { cmd = { bin, 'serve', '--stdio' } })
vim.lsp.enable('dockls')

-- After start-up, when filetype detection is on (it is not yet while this file runs).
local function run()
  local path = workdir .. '/Dockerfile'
  local f = assert(io.open(path, 'w'))
  f:write('FROM debian:bookworm\nMAINTAINER Jane Doe <jane@example.com>\nRUN apt-get update && apt-get install -y curl\nCMD ["sh"]\n')
  f:close()
  vim.cmd('edit ' .. path)
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'dockerfile', 'filetype is dockerfile')

  -- Tree-sitter: our grammar under its own name, highlighting without query errors, RUN as a
  -- keyword, and its shell text injected as bash when a bash parser is there.
  local lang = vim.treesitter.language.get_lang('dockerfile')
  check(lang == 'dockls_dockerfile', 'the dockerfile filetype uses our grammar (' .. tostring(lang) .. ')')
  local started, err = pcall(vim.treesitter.start, buf)
  check(started, 'tree-sitter highlighting starts without query errors ' .. (started and '' or tostring(err)))
  -- Headless: nothing redraws, so parse before asking (the highlighter parses on redraw).
  vim.treesitter.get_parser(buf):parse(true)
  local names = {}
  for _, c in ipairs(vim.treesitter.get_captures_at_pos(buf, 2, 1)) do table.insert(names, c.capture) end
  check(vim.tbl_contains(names, 'keyword'), 'RUN is highlighted as a keyword (' .. table.concat(names, ',') .. ')')
  if (os.getenv('BASH_RTP') or '') ~= '' then
    local parser = vim.treesitter.get_parser(buf)
    parser:parse(true)
    check(parser:children()['bash'] ~= nil, 'the RUN body is injected as bash')
  end

  local attached = vim.wait(15000, function() return #vim.lsp.get_clients({ bufnr = buf, name = 'dockls' }) > 0 end, 50)
  check(attached, 'dockls attaches to the buffer')
  local client = vim.lsp.get_clients({ bufnr = buf, name = 'dockls' })[1]
  if not client then return finish() end
  check(client.root_dir == workdir, 'root is the Dockerfile folder (' .. tostring(client.root_dir) .. ')')

  local function codes()
    local out = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do out[d.code or ''] = d end
    return out
  end
  vim.wait(15000, function() return codes()['maintainer-deprecated'] ~= nil end, 50)
  local maintainer = codes()['maintainer-deprecated']
  check(maintainer ~= nil and maintainer.lnum == 1 and maintainer.col == 0, 'diagnostic at the MAINTAINER token')
  check(codes()['apt-no-install-recommends'] ~= nil, 'apt rule reported on the RUN')

  -- Hover on the finding: its rule's documentation.
  local hover = client:request_sync('textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 1, character = 2 },
  }, 10000, buf)
  local text = hover and hover.result and hover.result.contents and hover.result.contents.value or ''
  check(text:find('maintainer%-deprecated') ~= nil or text:find('MAINTAINER') ~= nil, 'hover shows the rule docs')

  -- A quick fix from the diagnostics the client sends (as `vim.lsp.buf.code_action()` does),
  -- applied to the buffer.
  local lsp_diags = {}
  for _, d in ipairs(vim.diagnostic.get(buf, { lnum = 1 })) do
    table.insert(lsp_diags, d.user_data and d.user_data.lsp or nil)
  end
  local actions = client:request_sync('textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = 1, character = 0 }, ['end'] = { line = 1, character = 0 } },
    context = { diagnostics = lsp_diags, only = { 'quickfix' } },
  }, 10000, buf)
  -- Neovim declares `codeAction.resolveSupport` for `edit`: the list comes without edits and
  -- each is asked for with `codeAction/resolve`, as `vim.lsp.buf.code_action()` does.
  local function with_edit(a)
    if a.edit or not a.data then return a end
    local resolved = client:request_sync('codeAction/resolve', a, 10000, buf)
    return resolved and resolved.result or a
  end
  local fix
  for _, a in ipairs(actions and actions.result or {}) do
    if a.title:find('LABEL') then fix = with_edit(a) break end
  end
  check(fix ~= nil and fix.edit ~= nil, 'a MAINTAINER → LABEL quick fix is offered (resolved when it has no edit)')
  if fix and fix.edit then
    vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
    local line = vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1]
    check(line:find('^LABEL') ~= nil, 'the fix changed the buffer: ' .. line)
    -- The edit reaches the server: the finding goes away.
    local gone = vim.wait(15000, function() return codes()['maintainer-deprecated'] == nil end, 50)
    check(gone, 'the fixed finding disappears')
  end

  -- The cursor at column 0 of the RUN line and that line's diagnostics, as
  -- `vim.lsp.buf.code_action()` sends them: the fixes of findings later on the line come first.
  local run_diags = {}
  for _, d in ipairs(vim.diagnostic.get(buf, { lnum = 2 })) do
    table.insert(run_diags, d.user_data and d.user_data.lsp or nil)
  end
  local run_actions = client:request_sync('textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = 2, character = 0 }, ['end'] = { line = 2, character = 0 } },
    context = { diagnostics = run_diags },
  }, 10000, buf)
  local first = (run_actions and run_actions.result or {})[1]
  local recommends
  for _, a in ipairs(run_actions and run_actions.result or {}) do
    if a.title:find('no%-install%-recommends') then recommends = a break end
  end
  check(recommends ~= nil, 'a quick fix for a finding right of the cursor (column 0)')
  check(first ~= nil and first.kind == 'quickfix' and first.diagnostics ~= nil, 'the diagnostics sent get their fixes first')

  -- Completion after `--from=` offers the earlier stage (as omnifunc/completion plugins ask).
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'FROM golang:1.23 AS build', 'FROM alpine', 'COPY --from=' })
  local last = vim.api.nvim_buf_line_count(buf) - 1
  local completion = client:request_sync('textDocument/completion', {
    textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = last, character = 12 },
  }, 10000, buf)
  local labels = {}
  for _, item in ipairs(completion and completion.result or {}) do labels[item.label] = true end
  check(labels['build'] == true, 'completion offers the stage name after --from=')

  local symbols = client:request_sync('textDocument/documentSymbol', { textDocument = { uri = vim.uri_from_bufnr(buf) } }, 10000, buf)
  check(symbols and symbols.result and #symbols.result >= 1, 'document symbols answer')

  -- Formatting as `vim.lsp.buf.format()` does it: a lower-case keyword becomes upper case.
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'expose   8080' })
  vim.lsp.buf.format({ bufnr = buf, name = 'dockls', timeout_ms = 10000 })
  local last_line = vim.api.nvim_buf_get_lines(buf, -2, -1, false)[1]
  check(last_line == 'EXPOSE 8080', 'formatting formats the buffer: ' .. tostring(last_line))
  finish()
end
vim.api.nvim_create_autocmd('VimEnter', { once = true, nested = true, callback = function()
  local ok, err = pcall(run)
  if not ok then check(false, 'error: ' .. tostring(err)) finish() end
end })
