//! The editor configurations shipped in `editors/` start the real server the way they say.
//! (Neovim is driven for real by `tests/editors/nvim/run.sh`, from `scripts/test`.)

use dockls_tests::client::{dockls_binary, workspace_root, LspClient};
use serde_json::json;

#[test]
fn helix_languages_toml_starts_dockls_for_dockerfiles_with_its_settings() {
    let path = workspace_root().join("editors/helix/languages.toml");
    let text = std::fs::read_to_string(&path).expect("editors/helix/languages.toml");
    let doc: toml::Table = toml::from_str(&text).expect("languages.toml is TOML");
    let server = &doc["language-server"]["dockls"];
    assert_eq!(server["command"].as_str(), Some("dockls"));
    let args: Vec<&str> = server["args"].as_array().expect("args").iter().filter_map(|a| a.as_str()).collect();
    let languages = doc["language"].as_array().expect("[[language]]");
    let dockerfile = languages.iter().find(|l| l["name"].as_str() == Some("dockerfile")).expect("a dockerfile entry");
    let servers: Vec<&str> = dockerfile["language-servers"].as_array().expect("language-servers").iter().filter_map(|s| s.as_str()).collect();
    assert!(servers.contains(&"dockls"), "{servers:?}");

    // Helix runs the command with these args and sends `config` as initializationOptions.
    let config = serde_json::to_value(&server["config"]).expect("config as JSON");
    let mut c = LspClient::spawn(&dockls_binary(), &args);
    let mut params = LspClient::initialize_params("file:///tmp", json!({}));
    params["initializationOptions"] = config;
    let init = c.try_initialize_with(params, std::time::Duration::from_secs(30)).expect("an answer").expect("initialized");
    assert_eq!(init["serverInfo"]["name"], "dockls");
    let uri = "file:///tmp/helix-check/Dockerfile";
    c.did_open(uri, "FROM alpine:3.20\nMAINTAINER x\n");
    let published = c.wait_diagnostics(uri, Some(1));
    assert!(published["params"]["diagnostics"].as_array().is_some_and(|d| !d.is_empty()));
    c.shutdown_and_exit();
}

#[test]
fn neovim_config_names_the_server_command_and_filetype() {
    let text = std::fs::read_to_string(workspace_root().join("editors/nvim/lsp/dockls.lua")).expect("editors/nvim/lsp/dockls.lua");
    assert!(text.contains("cmd = { 'dockls', 'serve', '--stdio' }"), "{text}");
    assert!(text.contains("filetypes = { 'dockerfile' }"), "{text}");
    assert!(text.trim_start().starts_with("--") && text.contains("\nreturn {"), "a vim.lsp.Config table is returned");
}

/// Neovim loads our grammar as `dockls_dockerfile`: the plugin registers it for the filetype
/// (the headless Neovim test checks highlighting with it).
#[test]
fn neovim_plugin_registers_our_grammar_under_its_own_name() {
    let root = workspace_root();
    let plugin = std::fs::read_to_string(root.join("editors/nvim/plugin/dockls.lua")).unwrap();
    assert!(plugin.contains("language.register('dockls_dockerfile', 'dockerfile')"), "{plugin}");
    let build = std::fs::read_to_string(root.join("editors/nvim/build-parser.sh")).unwrap();
    assert!(build.contains("-Dtree_sitter_dockerfile=tree_sitter_dockls_dockerfile") && build.contains("queries/dockls_dockerfile"), "{build}");
}
