-- dockls for Neovim 0.11+ (`:help dockls`). With this folder on the runtimepath (or this file
-- copied to your config's lsp/ folder), one line turns it on:
--
--   vim.lsp.enable('dockls')
--
-- Override any field with vim.lsp.config('dockls', { ... }), e.g. the settings below.
---@type vim.lsp.Config
return {
  cmd = { 'dockls', 'serve', '--stdio' },
  -- Neovim's own detection: Dockerfile, Containerfile, *.Dockerfile, *.dockerfile, Dockerfile.*
  filetypes = { 'dockerfile' },
  root_markers = { '.dockls.toml', '.dockerignore', '.git', 'Dockerfile' },
  -- Answered to the server's `workspace/configuration` (README: "Settings").
  settings = {
    dockls = {},
  },
}
