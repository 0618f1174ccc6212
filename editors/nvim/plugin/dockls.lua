-- dockls's tree-sitter grammar for the `dockerfile` filetype, when it has been built
-- (editors/nvim/build-parser.sh → parser/dockls_dockerfile.so on the runtimepath). It is a
-- language of its own, `dockls_dockerfile`, so nvim-treesitter's `dockerfile` parser and
-- queries can be installed beside it without query errors. Turn this off with
-- `vim.g.dockls_treesitter = false`; highlighting starts with `vim.treesitter.start()` (or
-- nvim-treesitter's highlight module), as for any language.
if vim.g.dockls_treesitter == false or vim.g.loaded_dockls_treesitter then
  return
end
vim.g.loaded_dockls_treesitter = true
if #vim.api.nvim_get_runtime_file('parser/dockls_dockerfile.so', false) > 0 then
  local ok = pcall(vim.treesitter.language.add, 'dockls_dockerfile')
  if ok then
    vim.treesitter.language.register('dockls_dockerfile', 'dockerfile')
  end
end
