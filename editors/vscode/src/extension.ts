// The dockls extension: starts `dockls serve --stdio` for Dockerfiles and talks LSP to it
// through vscode-languageclient. Everything a Dockerfile gets (diagnostics, fixes, completion,
// hover, formatting…) comes from the server; this file only finds and starts it.

import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;

/** Where the server was found, in order: the setting, the bundled binary, PATH. */
type Found = { path: string; source: string } | { error: string };

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  const exe = process.platform === "win32" ? `${name}.exe` : name;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, exe))) {
      return path.join(dir, exe);
    }
  }
  return undefined;
}

export function findServer(context: vscode.ExtensionContext): Found {
  const configured = vscode.workspace.getConfiguration("dockls").get<string | null>("server.path");
  if (configured) {
    const resolved = configured.startsWith("~") ? path.join(process.env.HOME ?? "", configured.slice(1)) : configured;
    return isExecutable(resolved)
      ? { path: resolved, source: "the dockls.server.path setting" }
      : { error: `dockls.server.path is "${configured}", which is not an executable file.` };
  }
  const bundled = context.asAbsolutePath(path.join("bin", process.platform === "win32" ? "dockls.exe" : "dockls"));
  if (isExecutable(bundled)) {
    return { path: bundled, source: "the binary bundled with the extension" };
  }
  const fromPath = onPath("dockls");
  if (fromPath) {
    return { path: fromPath, source: "PATH" };
  }
  return {
    error:
      "dockls was not found: this build of the extension bundles no binary for your platform, dockls.server.path is not set and `dockls` is not on PATH. Install it with `cargo install --locked --path server` from the dockls repository.",
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const found = findServer(context);
  if ("error" in found) {
    output.appendLine(found.error);
    const choice = await vscode.window.showErrorMessage(found.error, "Show logs", "Open settings");
    if (choice === "Show logs") {
      output.show();
    } else if (choice === "Open settings") {
      void vscode.commands.executeCommand("workbench.action.openSettings", "dockls.server.path");
    }
    return;
  }
  output.appendLine(`Starting ${found.path} (from ${found.source})`);
  const env = { ...process.env };
  const shellcheck = vscode.workspace.getConfiguration("dockls").get<string | null>("shellcheck.path");
  if (shellcheck) {
    env.DOCKLS_SHELLCHECK = shellcheck;
  }
  // TransportKind.stdio adds `--stdio` to the arguments itself.
  const run = { command: found.path, args: ["serve"], transport: TransportKind.stdio, options: { env } };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "dockerfile" },
      { scheme: "untitled", language: "dockerfile" },
    ],
    // The server asks for the `dockls` section through workspace/configuration.
    synchronize: { configurationSection: "dockls" },
    outputChannel: output,
    traceOutputChannel: output,
  };
  client = new LanguageClient("dockls", "dockls", serverOptions, clientOptions);
  try {
    await client.start();
    output.appendLine(`dockls is running (from ${found.source}).`);
  } catch (e) {
    const message = `dockls could not start from ${found.path}: ${e instanceof Error ? e.message : String(e)}`;
    output.appendLine(message);
    client = undefined;
    const choice = await vscode.window.showErrorMessage(message, "Show logs");
    if (choice === "Show logs") {
      output.show();
    }
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop().catch(() => undefined);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("dockls");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("dockls.restartServer", async () => {
      await stop();
      await start(context);
    }),
    vscode.commands.registerCommand("dockls.showOutput", () => output.show()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      // Which binary runs is decided at start: a new path needs a restart.
      if (e.affectsConfiguration("dockls.server.path") || e.affectsConfiguration("dockls.shellcheck.path")) {
        await stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}
